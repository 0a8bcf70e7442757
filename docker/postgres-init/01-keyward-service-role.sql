-- Runs once, when the postgres volume is first initialised (docker-entrypoint-initdb.d).
-- The login role the apps connect with (DATABASE_APP_URL). The migrate service then grants it
-- membership of keyward_app, the NOLOGIN role the migrations create and every RLS policy names.
-- Not a superuser and without BYPASSRLS, so row-level security holds for it.
-- Change the password here and in DATABASE_APP_URL (docker/compose.yaml) before real use.
CREATE ROLE keyward_service LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE PASSWORD 'change-me';
