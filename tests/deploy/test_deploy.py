"""deploy/: the container topology (docker-compose.yml, Kubernetes via kustomize, Dockerfile).

No container runtime or Kubernetes cluster runs here, so these tests check what can be
checked without one: the files parse; every part has a health check and resource limits;
secrets come only from the environment or a Kubernetes Secret; only loopback ports are
published; the Rasa endpoints and nginx rules match the local cluster that
`make test-cluster` does run (bot/ops/cluster/). `nginx -t` on the template is in
tests/cluster/test_nginx.py (it needs Debian's nginx).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa.utils.endpoints import read_endpoint_config

from bot.ops.cluster import CLUSTER_SECRET_NAMES, ClusterConfig, endpoints_yaml, nginx_conf
from bot.paths import PROJECT_ROOT

DEPLOY = PROJECT_ROOT / "deploy"
PARTS = {"postgres", "redis", "actions", "rasa-1", "rasa-2", "nginx", "web"}
SECRET_NAME = re.compile(r"PASSWORD|TOKEN|SECRET", re.IGNORECASE)


def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((DEPLOY / "docker-compose.yml").read_text(encoding="utf-8"))
    return data


def k8s_documents() -> list[dict[str, Any]]:
    documents = []
    for path in sorted((DEPLOY / "k8s").glob("*.yaml")):
        documents += [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return documents


def containers(document: dict[str, Any]) -> list[dict[str, Any]]:
    spec = document.get("spec", {}).get("template", {}).get("spec", {})
    found: list[dict[str, Any]] = spec.get("containers", [])
    return found


# --- docker compose ---------------------------------------------------------------


def test_compose_has_every_part_with_health_check_and_limits() -> None:
    services = compose()["services"]
    assert set(services) == PARTS
    for name, service in services.items():
        assert "healthcheck" in service, name
        limits = service["deploy"]["resources"]["limits"]
        assert limits.get("memory") and limits.get("cpus"), name


def test_compose_takes_every_secret_from_the_environment() -> None:
    for name, service in compose()["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{LOTSE_[A-Z_]+:\?[^}]+\}", str(value)), (name, key)
            assert not re.search(r"(?<!\$\{)LOTSE_[A-Z_]+=", str(value)), (name, key)
        url = (service.get("environment") or {}).get("LOTSE_FEEDBACK_DB_URL")
        if url:
            assert "${LOTSE_PG_PASSWORD:?" in url


def test_compose_publishes_only_nginx_and_the_widget_on_loopback() -> None:
    published = {
        name: service["ports"] for name, service in compose()["services"].items() if service.get("ports")
    }
    assert published == {"nginx": ["127.0.0.1:8000:8000"], "web": ["127.0.0.1:8080:8080"]}


def test_compose_starts_each_part_after_what_it_needs_is_healthy() -> None:
    services = compose()["services"]
    needs = {
        "rasa-1": {"postgres", "redis", "actions"},
        "nginx": {"rasa-1", "rasa-2"},
        "web": {"nginx", "postgres"},
    }
    for name, wanted in needs.items():
        depends = services[name]["depends_on"]
        assert set(depends) == wanted, name
        assert all(rule == {"condition": "service_healthy"} for rule in depends.values()), name
    assert services["web"]["command"][-1] == "http://nginx:8000"  # the widget asks through nginx


# --- Kubernetes -------------------------------------------------------------------


def test_every_kubernetes_container_has_probes_and_limits() -> None:
    workloads = [doc for doc in k8s_documents() if doc["kind"] in ("Deployment", "StatefulSet")]
    assert {doc["metadata"]["name"] for doc in workloads} == {
        "postgres",
        "redis",
        "actions",
        "rasa",
        "nginx",
        "web",
    }
    for workload in workloads:
        for container in containers(workload):
            assert "readinessProbe" in container and "livenessProbe" in container, container["name"]
            assert set(container["resources"]["limits"]) == {"cpu", "memory"}, container["name"]
    rasa = next(doc for doc in workloads if doc["metadata"]["name"] == "rasa")
    assert rasa["spec"]["replicas"] == 2


def test_kubernetes_secrets_come_from_a_secret_never_from_the_files() -> None:
    documents = k8s_documents()
    assert not [doc for doc in documents if doc["kind"] == "Secret"]
    for document in documents:
        for container in containers(document):
            for variable in container.get("env", []):
                if SECRET_NAME.search(variable["name"]):
                    assert "value" not in variable, variable["name"]
                    assert variable["valueFrom"]["secretKeyRef"]["name"] == "lotse-secrets"


@pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl is not installed")
def test_kustomize_renders_the_whole_topology() -> None:
    rendered = subprocess.run(
        ["kubectl", "kustomize", str(DEPLOY)], capture_output=True, text=True, check=False, timeout=60
    )
    assert rendered.returncode == 0, rendered.stderr
    kinds = sorted(f"{doc['kind']}/{doc['metadata']['name']}" for doc in yaml.safe_load_all(rendered.stdout))
    assert [kind for kind in kinds if not kind.startswith("ConfigMap/")] == [
        "Deployment/actions",
        "Deployment/nginx",
        "Deployment/redis",
        "Deployment/web",
        "Service/actions",
        "Service/nginx",
        "Service/postgres",
        "Service/rasa",
        "Service/redis",
        "Service/web",
        "StatefulSet/postgres",
        "StatefulSet/rasa",
    ]
    assert sum(kind.startswith("ConfigMap/lotse-") for kind in kinds) == 3


# --- the same rules as the local cluster ------------------------------------------


def test_the_containers_endpoints_match_the_local_clusters(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in CLUSTER_SECRET_NAMES:
        monkeypatch.setenv(name, f"{name.lower()}-value")
    local = tmp_path / "endpoints.yml"
    local.write_text(endpoints_yaml(ClusterConfig()), encoding="utf-8")
    for section in ("action_endpoint", "tracker_store", "lock_store"):
        deployed = read_endpoint_config(str(DEPLOY / "endpoints.yml"), section)
        generated = read_endpoint_config(str(local), section)
        assert deployed.type == generated.type, section
        assert deployed.token == generated.token, section
        ignore = {"port"}  # hosts and ports differ: service names in containers, loopback here
        assert {k: v for k, v in deployed.kwargs.items() if k not in ignore} == {
            k: v for k, v in generated.kwargs.items() if k not in ignore
        }, section


RULE_DIRECTIVES = (
    *("proxy_", "error_page", "add_header", "return 503"),
    *("client_", "large_client_", "send_timeout", "keepalive_timeout", "reset_timedout_"),  # framing limits
)


def _proxy_rules(text: str) -> list[str]:
    """The directives that decide retries, time-outs, limits and the 503 (hosts and ports left out)."""
    rules = []
    for line in text.splitlines():
        line = line.strip()
        local_only = "_temp_path" in line  # the local nginx keeps its buffers under var/cluster
        wanted = line.startswith(RULE_DIRECTIVES)
        if wanted and not local_only:
            rules.append(line)
    return sorted(rules)


def test_the_containers_nginx_rules_match_the_local_clusters() -> None:
    template = (DEPLOY / "nginx" / "templates" / "lotse.conf.template").read_text(encoding="utf-8")
    assert _proxy_rules(template) == _proxy_rules(nginx_conf(ClusterConfig(), as_root=False))


def test_the_dockerfile_copies_only_files_that_exist() -> None:
    text = (DEPLOY / "Dockerfile").read_text(encoding="utf-8")
    sources = [
        source
        for line in text.splitlines()
        if line.startswith("COPY ") and "--from=" not in line
        for source in line.split()[1:-1]
    ]
    assert sources
    for source in sources:
        assert (PROJECT_ROOT / source).exists(), source
