-- What residents read for a walk-in point. The city's own name for it
-- ("Batcave Kallio") stays for staff; the SMS receipt and the printed ticket
-- use this one ("Kallion asiointipiste"). A point added before this starts
-- with its own name until an admin gives it another.
ALTER TABLE walk_in_points ADD COLUMN public_name text;
UPDATE walk_in_points SET public_name = name;
ALTER TABLE walk_in_points ALTER COLUMN public_name SET NOT NULL;
