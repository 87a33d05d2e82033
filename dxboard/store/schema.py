"""The schema: numbered migrations, applied in order by :class:`dxboard.store.database.Store`.

Tables
- ``uploads``: every file received (template or bulk table): who, when, SHA-256, status
  (accepted / rejected / duplicate) and its messages. A rejected upload writes nothing else.
- ``submissions``: one accepted report for one province and period, from an upload; status
  ``accepted`` (the current one) or ``superseded``. Earlier versions stay and can be restored.
- ``raw_values``: the values of each submission (long form, yes/no stored as 1/0).
- ``events``: the audit log (uploads, restores, sign-ins, account changes, ...).
- ``users`` and ``login_attempts``: local accounts and every sign-in attempt.
- ``provinces``: the registry (both eras), copied in for joins.
- ``meta``: key/value, including ``data_version`` which changes on every accepted write.
- ``reference_versions`` and ``reference_scores``: published reference tables (the ministry's
  DTI), one version per (year, province list) and upload; status ``accepted`` or ``superseded``
  like submissions, with the scores of each version.
View ``current_values``: the values of the accepted submission of every province and period.
"""

import re

MIGRATIONS: list[str] = [
    # 1: the versioned store
    """
    CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR);
    INSERT INTO meta VALUES ('data_version', '0');
    CREATE TABLE provinces (
        era VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR NOT NULL,
        short_name VARCHAR NOT NULL, ascii_name VARCHAR NOT NULL, region VARCHAR NOT NULL,
        successor VARCHAR, valid_from DATE, valid_to DATE, PRIMARY KEY (era, code));
    CREATE SEQUENCE upload_ids START 1;
    CREATE TABLE uploads (
        id BIGINT PRIMARY KEY DEFAULT nextval('upload_ids'),
        kind VARCHAR NOT NULL,              -- template | bulk | unknown
        dataset VARCHAR NOT NULL,           -- demo | official | ...
        file_name VARCHAR NOT NULL,
        sha256 VARCHAR NOT NULL,
        actor VARCHAR NOT NULL,
        received_at TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('accepted', 'rejected', 'duplicate')),
        province_code VARCHAR,              -- template uploads: the province
        period VARCHAR,                     -- template uploads: the period
        n_reports INTEGER NOT NULL DEFAULT 0,
        messages JSON NOT NULL);
    CREATE SEQUENCE submission_ids START 1;
    CREATE TABLE submissions (
        id BIGINT PRIMARY KEY DEFAULT nextval('submission_ids'),
        upload_id BIGINT NOT NULL,
        province_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        era VARCHAR NOT NULL,
        dataset VARCHAR NOT NULL,
        content_hash VARCHAR NOT NULL,
        received_at TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('accepted', 'superseded')),
        source_ref VARCHAR);                -- sheet and row for bulk tables
    CREATE INDEX submissions_key ON submissions (province_code, period);
    CREATE TABLE raw_values (
        submission_id BIGINT NOT NULL,
        province_code VARCHAR NOT NULL,
        period VARCHAR NOT NULL,
        field VARCHAR NOT NULL,
        value DOUBLE,
        note VARCHAR,
        ref_no VARCHAR,
        ref_date DATE,
        PRIMARY KEY (submission_id, field));
    CREATE SEQUENCE event_ids START 1;
    CREATE TABLE events (
        id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
        at_time TIMESTAMP NOT NULL, actor VARCHAR NOT NULL, action VARCHAR NOT NULL,
        upload_id BIGINT, submission_id BIGINT, detail JSON);
    CREATE VIEW current_values AS
        SELECT v.province_code, v.period, v.field, v.value, v.note, v.ref_no, v.ref_date,
               v.submission_id, s.upload_id, s.dataset, s.era, s.received_at
        FROM raw_values v JOIN submissions s ON s.id = v.submission_id
        WHERE s.status = 'accepted';
    """,
    # 2: accounts and sign-in attempts (dxboard.auth)
    """
    CREATE TABLE users (
        username VARCHAR PRIMARY KEY,       -- lower case
        display_name VARCHAR NOT NULL DEFAULT '',
        role VARCHAR NOT NULL CHECK (role IN ('admin', 'analyst', 'leader', 'officer')),
        province_era VARCHAR,               -- officers: always 'current'
        province_code VARCHAR,              -- officers: the current province they report for
        password_hash VARCHAR NOT NULL,     -- scrypt$n$r$p$salt_b64$hash_b64
        disabled BOOLEAN NOT NULL DEFAULT false,
        created_at TIMESTAMP NOT NULL,
        CHECK ((role = 'officer') = (province_code IS NOT NULL)));
    CREATE TABLE login_attempts (
        username VARCHAR NOT NULL, at_time TIMESTAMP NOT NULL, ok BOOLEAN NOT NULL);
    CREATE INDEX login_attempts_user ON login_attempts (username, at_time);
    """,
    # reference tables (the published DTI): versions like submissions, and their scores
    """
    CREATE SEQUENCE reference_ids START 1;
    CREATE TABLE reference_versions (
        id BIGINT PRIMARY KEY DEFAULT nextval('reference_ids'),
        upload_id BIGINT NOT NULL,
        dataset VARCHAR NOT NULL,           -- dti
        year INTEGER NOT NULL,
        provinces INTEGER NOT NULL CHECK (provinces IN (63, 34)),
        content_hash VARCHAR NOT NULL,
        received_at TIMESTAMP NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('accepted', 'superseded')));
    CREATE INDEX reference_versions_key ON reference_versions (dataset, year, provinces);
    CREATE TABLE reference_scores (
        version_id BIGINT NOT NULL,
        era VARCHAR NOT NULL,               -- legacy (63) | current (34)
        province_code VARCHAR NOT NULL,
        province_as_published VARCHAR NOT NULL,
        rank INTEGER NOT NULL,
        pdti DOUBLE NOT NULL,
        awareness DOUBLE, institutions DOUBLE, infrastructure DOUBLE, workforce DOUBLE,
        cybersecurity DOUBLE, government DOUBLE, economy DOUBLE, society DOUBLE,
        published BOOLEAN NOT NULL,
        source VARCHAR NOT NULL,
        PRIMARY KEY (version_id, province_code));
    """,
]

POSTGRES_TYPES = {"DOUBLE": "DOUBLE PRECISION", "BLOB": "BYTEA"}
"""The column types the migrations use that PostgreSQL spells differently."""

POSTGRES_EXTRAS: dict[int, str] = {
    1: """
    CREATE UNIQUE INDEX one_accepted_submission ON submissions (province_code, period)
        WHERE status = 'accepted';
    """,
}
"""Statements run on PostgreSQL after the migration of that number: what DuckDB cannot say (a
partial unique index: the database itself keeps one accepted submission per province-period)."""


def ddl(sql: str, dialect: str) -> str:
    """A migration's text for ``dialect`` (``duckdb`` or ``postgres``)."""
    if dialect != "postgres":
        return sql
    for word, spelling in POSTGRES_TYPES.items():
        sql = re.sub(rf"\b{word}\b", spelling, sql)
    return sql
