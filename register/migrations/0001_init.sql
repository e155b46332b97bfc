-- The register's whole first schema (docs/register.md). Written once for
-- SQLite and PostgreSQL: {{id}} is the auto-numbered primary key
-- (migrate.go). Times are UTC RFC 3339 text of fixed width; dates
-- (letter_date, received_date, due) are YYYY-MM-DD text; booleans are
-- BOOLEAN (TRUE/FALSE on both).

CREATE TABLE units (
	id        {{id}},
	parent_id BIGINT REFERENCES units(id),
	code      TEXT NOT NULL,
	name      TEXT NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('kabupaten', 'opd', 'bidang', 'seksi', 'kecamatan'))
);
CREATE UNIQUE INDEX units_code ON units(code);
CREATE INDEX units_parent ON units(parent_id);

CREATE TABLE positions (
	id        {{id}},
	unit_id   BIGINT NOT NULL REFERENCES units(id),
	parent_id BIGINT REFERENCES positions(id),
	title     TEXT NOT NULL,
	kind      TEXT NOT NULL CHECK (kind IN ('bupati', 'wakil_bupati', 'sekda', 'eselon2', 'eselon3', 'eselon4', 'staf', 'camat', 'clerk'))
);
CREATE INDEX positions_unit ON positions(unit_id);
CREATE INDEX positions_parent ON positions(parent_id);

CREATE TABLE users (
	id            {{id}},
	username      TEXT NOT NULL,
	name          TEXT NOT NULL,
	nip           TEXT NOT NULL DEFAULT '',
	password_hash TEXT NOT NULL,
	position_id   BIGINT REFERENCES positions(id),
	is_admin      BOOLEAN NOT NULL DEFAULT FALSE,
	profile       TEXT NOT NULL DEFAULT '',
	lang          TEXT NOT NULL DEFAULT '',
	disabled      BOOLEAN NOT NULL DEFAULT FALSE,
	created_at    TEXT NOT NULL
);
CREATE UNIQUE INDEX users_username ON users(username);
CREATE INDEX users_position ON users(position_id);

CREATE TABLE delegations (
	id          {{id}},
	position_id BIGINT NOT NULL REFERENCES positions(id),
	user_id     BIGINT NOT NULL REFERENCES users(id),
	kind        TEXT NOT NULL CHECK (kind IN ('plt', 'plh')),
	starts      TEXT NOT NULL,
	ends        TEXT NOT NULL,
	created_by  BIGINT REFERENCES users(id),
	created_at  TEXT NOT NULL
);
CREATE INDEX delegations_user ON delegations(user_id, ends);
CREATE INDEX delegations_position ON delegations(position_id, ends);

CREATE TABLE sessions (
	token_hash TEXT PRIMARY KEY,
	user_id    BIGINT NOT NULL REFERENCES users(id),
	csrf       TEXT NOT NULL,
	created_at TEXT NOT NULL,
	expires_at TEXT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE INDEX sessions_expires ON sessions(expires_at);

CREATE TABLE klasifikasi (
	code           TEXT PRIMARY KEY,
	name           TEXT NOT NULL,
	active_years   INTEGER NOT NULL DEFAULT 0,
	inactive_years INTEGER NOT NULL DEFAULT 0,
	final          TEXT NOT NULL DEFAULT 'musnah' CHECK (final IN ('musnah', 'permanen', 'dinilai_kembali'))
);

-- year is the year of the agenda number (in) or of the number (out): the
-- sequences restart each year per unit.
CREATE TABLE letters (
	id                 {{id}},
	direction          TEXT NOT NULL CHECK (direction IN ('in', 'out')),
	unit_id            BIGINT NOT NULL REFERENCES units(id),
	year               INTEGER NOT NULL DEFAULT 0,
	agenda_no          INTEGER NOT NULL DEFAULT 0,
	number             TEXT NOT NULL DEFAULT '',
	kind               TEXT NOT NULL DEFAULT '',
	sender             TEXT NOT NULL DEFAULT '',
	sender_number      TEXT NOT NULL DEFAULT '',
	letter_date        TEXT NOT NULL DEFAULT '',
	received_date      TEXT NOT NULL DEFAULT '',
	subject            TEXT NOT NULL DEFAULT '',
	sifat              TEXT NOT NULL DEFAULT 'biasa' CHECK (sifat IN ('biasa', 'penting', 'segera', 'rahasia')),
	klasifikasi        TEXT NOT NULL DEFAULT '',
	status             TEXT NOT NULL CHECK (status IN ('baru', 'didisposisi', 'selesai', 'draf', 'paraf', 'dikembalikan', 'siap_ttd', 'ditandatangani')),
	signer_position_id BIGINT REFERENCES positions(id),
	created_by         BIGINT REFERENCES users(id),
	created_at         TEXT NOT NULL,
	updated_at         TEXT NOT NULL,
	signed_at          TEXT NOT NULL DEFAULT '',
	signed_by          BIGINT REFERENCES users(id),
	document_id        TEXT NOT NULL DEFAULT '',
	verify_url         TEXT NOT NULL DEFAULT '',
	pages              INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX letters_agenda ON letters(unit_id, year, agenda_no) WHERE direction = 'in';
CREATE UNIQUE INDEX letters_number ON letters(number) WHERE number <> '';
CREATE INDEX letters_unit ON letters(unit_id, direction, created_at);
CREATE INDEX letters_status ON letters(direction, status);
CREATE INDEX letters_signer ON letters(signer_position_id, status);
CREATE INDEX letters_received ON letters(received_date);
CREATE INDEX letters_klasifikasi ON letters(klasifikasi);

CREATE TABLE letter_files (
	id          {{id}},
	letter_id   BIGINT NOT NULL REFERENCES letters(id),
	version     INTEGER NOT NULL,
	kind        TEXT NOT NULL CHECK (kind IN ('scan', 'draft', 'signed', 'lembar')),
	name        TEXT NOT NULL DEFAULT '',
	sha256      TEXT NOT NULL,
	size        BIGINT NOT NULL,
	pages       INTEGER NOT NULL DEFAULT 0,
	uploaded_by BIGINT REFERENCES users(id),
	created_at  TEXT NOT NULL
);
CREATE UNIQUE INDEX letter_files_version ON letter_files(letter_id, version);

CREATE TABLE recipients (
	id        {{id}},
	letter_id BIGINT NOT NULL REFERENCES letters(id),
	unit_id   BIGINT REFERENCES units(id),
	external  TEXT NOT NULL DEFAULT '',
	tembusan  BOOLEAN NOT NULL DEFAULT FALSE,
	CHECK (unit_id IS NOT NULL OR external <> '')
);
CREATE INDEX recipients_letter ON recipients(letter_id);
CREATE INDEX recipients_unit ON recipients(unit_id);

-- acting_as is the delegation (Plt/Plh) under which the action was done,
-- as shown ("Plh. Kepala Dinas …"); empty when the user acted in person.
CREATE TABLE dispositions (
	id               {{id}},
	letter_id        BIGINT NOT NULL REFERENCES letters(id),
	parent_id        BIGINT REFERENCES dispositions(id),
	from_position_id BIGINT REFERENCES positions(id),
	from_user_id     BIGINT NOT NULL REFERENCES users(id),
	to_position_id   BIGINT NOT NULL REFERENCES positions(id),
	instructions     TEXT NOT NULL DEFAULT '',
	note             TEXT NOT NULL DEFAULT '',
	due              TEXT NOT NULL DEFAULT '',
	created_at       TEXT NOT NULL,
	read_at          TEXT NOT NULL DEFAULT '',
	done_at          TEXT NOT NULL DEFAULT '',
	done_note        TEXT NOT NULL DEFAULT '',
	acting_as        TEXT NOT NULL DEFAULT ''
);
CREATE INDEX dispositions_letter ON dispositions(letter_id);
CREATE INDEX dispositions_to ON dispositions(to_position_id, done_at);

CREATE TABLE paraf (
	id           {{id}},
	letter_id    BIGINT NOT NULL REFERENCES letters(id),
	seq          INTEGER NOT NULL,
	position_id  BIGINT NOT NULL REFERENCES positions(id),
	user_id      BIGINT REFERENCES users(id),
	action       TEXT NOT NULL DEFAULT 'pending' CHECK (action IN ('pending', 'approved', 'returned')),
	note         TEXT NOT NULL DEFAULT '',
	file_version INTEGER NOT NULL DEFAULT 0,
	at           TEXT NOT NULL DEFAULT '',
	acting_as    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX paraf_letter ON paraf(letter_id, seq);
CREATE INDEX paraf_position ON paraf(position_id, action);

CREATE TABLE number_seq (
	unit_id BIGINT NOT NULL REFERENCES units(id),
	year    INTEGER NOT NULL,
	last    INTEGER NOT NULL DEFAULT 0,
	PRIMARY KEY (unit_id, year)
);

-- letter_id is NULL for the administration's changes (units, users, …).
CREATE TABLE events (
	id        {{id}},
	letter_id BIGINT REFERENCES letters(id),
	at        TEXT NOT NULL,
	user_id   BIGINT REFERENCES users(id),
	acting_as TEXT NOT NULL DEFAULT '',
	action    TEXT NOT NULL,
	detail    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX events_letter ON events(letter_id, at);
CREATE INDEX events_at ON events(at);

CREATE TABLE settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);
INSERT INTO settings (key, value) VALUES ('number_pattern', '{klasifikasi}/{urut}/{kode_unit}/{tahun}');
