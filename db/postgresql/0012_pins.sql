-- The desired version (issue 12, DESIGN.md "Many hosts"): the version a
-- certificate is meant to serve is the newest (current_version) unless
-- `rollback` or `install --version` pinned an older one here. Reports judge
-- expiry and the scheduler decides renewal on the desired version. A new
-- version stored while pinned ends the pin (event "pin-ended"). NULL: not
-- pinned. As db/sqlite/0012_pins.sql.

ALTER TABLE certkeeper.certificates ADD COLUMN pinned_version BIGINT;

-- The report's --within filter: the pinned certificates are looked at
-- besides the expiry index's range (few: a pin is an operator's exception).
CREATE INDEX certificates_pinned ON certkeeper.certificates (pinned_version) WHERE pinned_version IS NOT NULL;
