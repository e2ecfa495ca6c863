-- No account may pass for another (issue 17; `core/src/account_names.rs`
-- says why each rule is there).
--
-- 1. Usernames are kept folded (lower case) and hold only a-z, 0-9, ".",
--    "_" and "-", starting with a letter or digit. Existing ones are folded
--    here (sign-in folds what is typed, so their owners sign in as before);
--    one that would still break the rule, or would fold onto another, is
--    not renamed behind its owner's back: the migration stops and names it,
--    for an admin to rename first.
DO $$
DECLARE
    unsafe text;
    clash text;
BEGIN
    SELECT string_agg(quote_literal(username), ', ' ORDER BY username) INTO unsafe
    FROM responders
    WHERE lower(normalize(username, NFKC)) !~ '^[a-z0-9][a-z0-9._-]{0,63}$';
    IF unsafe IS NOT NULL THEN
        RAISE EXCEPTION 'usernames may hold only a-z, 0-9, ".", "_" and "-", starting with a letter or digit; '
            'rename % first (UPDATE responders SET username = ''new'' WHERE username = ''old'')', unsafe;
    END IF;
    SELECT string_agg(names, '; ') INTO clash
    FROM (
        SELECT string_agg(quote_literal(username), ' and ' ORDER BY username) AS names
        FROM responders
        GROUP BY replace(replace(translate(lower(normalize(username, NFKC)), '01', 'ol'), 'rn', 'm'), 'vv', 'w')
        HAVING count(*) > 1
    ) alike;
    IF clash IS NOT NULL THEN
        RAISE EXCEPTION 'these usernames read alike: %; rename all but one of each first', clash;
    END IF;
END
$$;

UPDATE responders SET username = lower(normalize(username, NFKC)) WHERE username <> lower(normalize(username, NFKC));

ALTER TABLE responders ADD CONSTRAINT responders_username_safe CHECK (username ~ '^[a-z0-9][a-z0-9._-]{0,63}$');

-- 2. Within that set 0 and o, 1 and l, rn and m, vv and w still read alike:
--    unique on a key that reads them the same.
CREATE UNIQUE INDEX responders_username_look_alike
    ON responders ((replace(replace(translate(username, '01', 'ol'), 'rn', 'm'), 'vv', 'w')));

-- 3. A display name is read by residents in their texts: no bidirectional
--    control (it reorders what follows), no zero-width or other invisible
--    format character, no control character. Existing names lose them (they
--    show nothing of themselves; a name left empty becomes the username).
UPDATE responders
SET display_name = coalesce(
        nullif(btrim(regexp_replace(display_name, '[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]', '', 'g')), ''),
        username)
WHERE display_name ~ '[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]';

ALTER TABLE responders ADD CONSTRAINT responders_display_name_visible
    CHECK (display_name !~ '[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]');
