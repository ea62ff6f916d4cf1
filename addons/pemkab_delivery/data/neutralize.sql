-- A database copied for testing must not call production couriers: production accounts
-- are archived and switched to the test environment (Odoo runs this on `odoo-bin neutralize`
-- and when a database is duplicated as a test copy).
UPDATE pemkab_courier_provider
   SET active = false,
       environment = 'test'
 WHERE environment = 'production';

-- ... and sends no citizen SMS still queued (pemkab.deliverable.mixin queues no new one
-- in a neutralised database).
UPDATE sms_sms
   SET state = 'canceled'
 WHERE state = 'outgoing';
