-- The service catalogue: the topics residents raise, each with a stable
-- code that cases, routing skills, SLA policies, the dashboard and /open
-- (and later Open311's services) all use, and names and descriptions in
-- Finnish, Swedish and English. Names are never edited in place: a change
-- is a new version, so what a topic was called when a case carried it stays
-- on record. A topic is retired, never deleted: cases keep their code.
CREATE TABLE topics (
    code       text PRIMARY KEY CHECK (code ~ '^[a-z][a-z0-9_]{0,31}$'),
    -- Where it comes in lists; the catalogue's own order, not the alphabet
    -- of one language.
    position   integer NOT NULL DEFAULT 100,
    retired_at timestamptz
);

CREATE TABLE topic_versions (
    code           text NOT NULL REFERENCES topics (code),
    version        integer NOT NULL CHECK (version >= 1),
    name_fi        text NOT NULL CHECK (char_length(name_fi) BETWEEN 1 AND 80),
    name_sv        text NOT NULL CHECK (char_length(name_sv) BETWEEN 1 AND 80),
    name_en        text NOT NULL CHECK (char_length(name_en) BETWEEN 1 AND 80),
    description_fi text NOT NULL DEFAULT '' CHECK (char_length(description_fi) <= 500),
    description_sv text NOT NULL DEFAULT '' CHECK (char_length(description_sv) <= 500),
    description_en text NOT NULL DEFAULT '' CHECK (char_length(description_en) <= 500),
    valid_from     timestamptz NOT NULL DEFAULT clock_timestamp(),
    -- Set when a newer version replaces it.
    valid_to       timestamptz,
    created_by     uuid REFERENCES responders (id),
    PRIMARY KEY (code, version),
    CHECK (valid_to IS NULL OR valid_to >= valid_from)
);
CREATE UNIQUE INDEX topic_versions_current ON topic_versions (code) WHERE valid_to IS NULL;

-- The catalogue every city starts with; admins edit it from there.
INSERT INTO topics (code, position) VALUES
    ('streets', 10), ('parks', 20), ('waste', 30), ('snow', 40), ('stops', 50),
    ('noise', 60), ('schools', 70), ('health', 80), ('housing', 90), ('other', 1000);
INSERT INTO topic_versions (code, version, name_fi, name_sv, name_en, description_fi, description_sv, description_en) VALUES
    ('streets', 1, 'Kadut ja katuvalaistus', 'Gator och gatubelysning', 'Streets and street lighting',
     'Katujen kunto, kuopat, liikennemerkit ja katuvalot.',
     'Gatornas skick, gropar, trafikmärken och gatubelysning.',
     'Street surfaces, potholes, traffic signs and street lights.'),
    ('parks', 1, 'Puistot ja viheralueet', 'Parker och grönområden', 'Parks and green areas',
     'Puistot, leikkipaikat, puut, penkit ja ulkoilureitit.',
     'Parker, lekplatser, träd, bänkar och friluftsleder.',
     'Parks, playgrounds, trees, benches and outdoor trails.'),
    ('waste', 1, 'Jätteet ja roskaantuminen', 'Avfall och nedskräpning', 'Waste and litter',
     'Roskat, täydet roska-astiat, kierrätys ja luvaton kaatopaikka.',
     'Skräp, fulla papperskorgar, återvinning och olaglig dumpning.',
     'Litter, full bins, recycling and illegal dumping.'),
    ('snow', 1, 'Lumi ja liukkaus', 'Snö och halka', 'Snow and ice',
     'Lumityöt, hiekoitus, liukkaus ja katoilta putoava lumi.',
     'Snöröjning, sandning, halka och snö som faller från tak.',
     'Snow clearing, gritting, icy pavements and snow falling from roofs.'),
    ('stops', 1, 'Joukkoliikenteen pysäkit', 'Kollektivtrafikens hållplatser', 'Public transport stops',
     'Pysäkit, katokset, aikataulunäytöt ja pysäkkien ympäristö.',
     'Hållplatser, väderskydd, tidtabellsskärmar och deras omgivning.',
     'Stops, shelters, timetable displays and their surroundings.'),
    ('noise', 1, 'Melu ja häiriöt', 'Buller och störningar', 'Noise and disturbance',
     'Työmaa- ja liikennemelu, häiriöt ja ilkivalta.',
     'Buller från byggen och trafik, störningar och skadegörelse.',
     'Construction and traffic noise, disturbance and vandalism.'),
    ('schools', 1, 'Koulut ja päiväkodit', 'Skolor och daghem', 'Schools and day care',
     'Koulut, päiväkodit, koulumatkat ja niiden tilat.',
     'Skolor, daghem, skolvägar och deras lokaler.',
     'Schools, day-care centres, school routes and their buildings.'),
    ('health', 1, 'Sosiaali- ja terveysneuvonta', 'Social- och hälsorådgivning', 'Social and health advice',
     'Neuvonta sosiaali- ja terveyspalveluista ja niihin ohjaaminen.',
     'Rådgivning om social- och hälsovårdstjänster och hänvisning till dem.',
     'Advice on social and health services, and finding the right one.'),
    ('housing', 1, 'Asuminen', 'Boende', 'Housing',
     'Kaupungin vuokra-asunnot ja asumisen neuvonta.',
     'Stadens hyresbostäder och rådgivning om boende.',
     'City rental homes and housing advice.'),
    ('other', 1, 'Muu asia', 'Annat ärende', 'Something else',
     'Kaikki muu, mitä kaupungilta halutaan kysyä tai kertoa.',
     'Allt annat man vill fråga eller berätta för staden.',
     'Anything else to ask or tell the city.');

-- The demo's first responders were given "social services" before the
-- catalogue existed; it is health advice in the catalogue.
UPDATE responders SET topics = array_replace(topics, 'social services', 'health');

-- From now on a case and an SLA policy name a topic of the catalogue.
-- NOT VALID: topics typed freely before the catalogue existed stay on the
-- cases that carry them (history is not rewritten); every new or changed
-- topic is checked.
ALTER TABLE cases
    ADD CONSTRAINT cases_topic_in_catalogue FOREIGN KEY (topic) REFERENCES topics (code) NOT VALID;
ALTER TABLE sla_policies
    ADD CONSTRAINT sla_policies_topic_in_catalogue FOREIGN KEY (topic) REFERENCES topics (code) NOT VALID;
