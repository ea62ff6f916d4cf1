-- A database copied for testing reports nothing to SATUSEHAT's production and keeps no
-- SATUSEHAT credential: every reporting facility loses its client id and secret (a staging
-- credential is a real one too), and those reporting to production are archived and
-- switched to staging (Odoo runs this on `odoo-bin neutralize` and for a test copy).
UPDATE pemkab_health_satusehat_facility
   SET active = CASE WHEN environment = 'production' THEN false ELSE active END,
       environment = 'staging',
       host = CASE WHEN environment = 'production'
                   THEN 'https://api-satusehat-stg.dto.kemkes.go.id' ELSE host END,
       client_id = NULL,
       client_secret = NULL;
