-- Run once by the postgres image on an empty volume (/docker-entrypoint-initdb.d/):
-- the tracker store's database is POSTGRES_DB; the feedback store gets its own.
CREATE DATABASE lotse_feedback OWNER lotse;
