-- Speed: the task and pick ids an order led to are found through a table written once per id, not
-- through indexes on order_link. In H2 every UPDATE removes its row from every index of its table and
-- adds it back, whether or not an indexed column changed; each step of an order's flow updates its
-- order_link row, so each update rewrote entries of the task and pick indexes too, keyed at random
-- (docs/performance.md, flows). order_link keeps its task_id and pick_id columns; only the lookup
-- by them moves here.
CREATE TABLE order_ref (
    -- task | pick
    kind      VARCHAR(8)    NOT NULL,
    ref_id    VARCHAR(200)  NOT NULL,
    order_id  VARCHAR(200)  NOT NULL,
    CONSTRAINT pk_order_ref PRIMARY KEY (kind, ref_id)
);
INSERT INTO order_ref (kind, ref_id, order_id)
SELECT 'task', task_id, MIN(order_id) FROM order_link WHERE task_id IS NOT NULL GROUP BY task_id;
INSERT INTO order_ref (kind, ref_id, order_id)
SELECT 'pick', pick_id, MIN(order_id) FROM order_link WHERE pick_id IS NOT NULL GROUP BY pick_id;
DROP INDEX ix_order_link_task;
DROP INDEX ix_order_link_pick;
