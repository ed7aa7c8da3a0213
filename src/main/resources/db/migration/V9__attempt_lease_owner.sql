-- The claim an attempt was made under (<node>/<claim>, the event's lease owner then). An attempt is
-- recorded only while that claim holds the event, so one made after its lease lapsed is not counted
-- against the claim that took the event over.
ALTER TABLE delivery_attempt ADD COLUMN lease_owner VARCHAR(100);
