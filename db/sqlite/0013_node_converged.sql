-- What a node's pass last found converged (issue 12): the newest event id
-- when the node's targets all served their desired version (or had rolled
-- back from it). Every change that can give a node work writes an event in
-- its transaction (a version, a pin, a target, an install, a removed node),
-- so while the newest event is this one the pass skips the query of its
-- targets (bench/fleet.sh: 10,000 targets per node). NULL: never.
ALTER TABLE nodes ADD COLUMN converged_event INTEGER;
