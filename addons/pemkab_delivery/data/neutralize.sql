-- A database copied for testing must not call production couriers nor keep their
-- credentials: production accounts are archived, switched to the test environment and
-- lose their client id, secret and webhook secret (Odoo runs this on `odoo-bin neutralize`
-- and when a database is duplicated as a test copy).
UPDATE pemkab_courier_provider
   SET active = false,
       environment = 'test',
       client_id = NULL,
       client_secret = NULL,
       webhook_secret = NULL
 WHERE environment = 'production';

-- ... and sends no citizen SMS still queued (pemkab.deliverable.mixin queues no new one
-- in a neutralised database).
UPDATE sms_sms
   SET state = 'canceled'
 WHERE state = 'outgoing';

-- ... nor keeps the keys of the HTTP SMS gateway (an SMS queued afterwards fails as "SMS
-- gateway not configured" instead of reaching a citizen).
UPDATE res_company
   SET pemkab_sms_gateway_url = NULL,
       pemkab_sms_gateway_userkey = NULL,
       pemkab_sms_gateway_passkey = NULL;
