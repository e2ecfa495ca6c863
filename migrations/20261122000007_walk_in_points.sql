-- Walk-in points: the Batcaves at neighbourhood schools. Responders have a
-- home point; walk-in tickets (a later step) prefer responders on duty there.

CREATE TABLE walk_in_points (
    id            uuid PRIMARY KEY,
    name          text NOT NULL UNIQUE,
    address       text NOT NULL,
    area          text NOT NULL,
    -- Weekly opening hours in Europe/Helsinki local time, validated by the
    -- application: {"mon": [["08:00", "16:00"]], "sat": [["10:00", "14:00"]]}.
    opening_hours jsonb NOT NULL DEFAULT '{}'
);

ALTER TABLE responders ADD COLUMN home_point_id uuid REFERENCES walk_in_points (id);
