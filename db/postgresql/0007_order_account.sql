-- Issue 10 (races): the ACME account that made each order, by its URL at the
-- CA (the JWS "kid"). The account row keeps its id when a new key and
-- registration replace it (a deactivated account, or two processes that
-- registered at once before the lock), so account_id alone cannot tell whose
-- order it is. An open order is resumed only by the account that made it;
-- any other one is abandoned and a new order placed in the same run.
-- '' for orders made before this column: their owner is learnt from the CA.
-- As db/sqlite/0007_order_account.sql.
ALTER TABLE certkeeper.orders ADD COLUMN account_url TEXT NOT NULL DEFAULT '';
