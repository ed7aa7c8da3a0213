-- Admin API credential: only a hash of the generated token is kept.
CREATE TABLE admin_credential (
    id            VARCHAR(32)  NOT NULL,
    token_sha256  CHAR(64)     NOT NULL,
    created_at    TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_admin_credential PRIMARY KEY (id)
);

CREATE TABLE tenant (
    id          VARCHAR(36)  NOT NULL,
    name        VARCHAR(200) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_tenant PRIMARY KEY (id)
);

-- A tenant's WMS order webhook. The secret is shown once; only its SHA-256 is stored.
CREATE TABLE wms_integration (
    tenant_id          VARCHAR(36) NOT NULL,
    secret_sha256      CHAR(64)    NOT NULL,
    active             BOOLEAN     NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    secret_rotated_at  TIMESTAMP WITH TIME ZONE NOT NULL,
    last_received_at   TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_wms_integration PRIMARY KEY (tenant_id),
    CONSTRAINT fk_wms_integration_tenant FOREIGN KEY (tenant_id) REFERENCES tenant (id)
);

CREATE TABLE customer (
    id              VARCHAR(36)   NOT NULL,
    tenant_id       VARCHAR(36)   NOT NULL,
    name            VARCHAR(200)  NOT NULL,
    contact         VARCHAR(200)  NOT NULL,
    address         VARCHAR(1000),
    -- the address normalised (case, spacing, punctuation): how a customer is found again
    address_key     VARCHAR(1000),
    latitude        DOUBLE PRECISION,
    longitude       DOUBLE PRECISION,
    -- none (no geocoder) | pending | done | failed | not_found
    geocode_status  VARCHAR(16)   NOT NULL,
    geocode_error   VARCHAR(500),
    geocode_attempts INTEGER      DEFAULT 0 NOT NULL,
    geocode_next_at TIMESTAMP WITH TIME ZONE,
    created_at      TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_customer PRIMARY KEY (id),
    CONSTRAINT fk_customer_tenant FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT uq_customer_address UNIQUE (tenant_id, address_key)
);
CREATE INDEX ix_customer_geocode ON customer (geocode_status, geocode_next_at);

CREATE TABLE tenant_order (
    id                 VARCHAR(36)   NOT NULL,
    tenant_id          VARCHAR(36)   NOT NULL,
    external_order_id  VARCHAR(200)  NOT NULL,
    customer_id        VARCHAR(36)   NOT NULL,
    total_weight       DOUBLE PRECISION,
    volume             DOUBLE PRECISION,
    pallet_count       INTEGER,
    -- JSON array of strings
    special_handling   VARCHAR(4000),
    planned_date       DATE,
    -- webhook | pull:<endpoint id>
    source             VARCHAR(60)   NOT NULL,
    created_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    updated_at         TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_tenant_order PRIMARY KEY (id),
    CONSTRAINT fk_tenant_order_tenant FOREIGN KEY (tenant_id) REFERENCES tenant (id),
    CONSTRAINT fk_tenant_order_customer FOREIGN KEY (customer_id) REFERENCES customer (id),
    CONSTRAINT uq_tenant_order_external UNIQUE (tenant_id, external_order_id)
);
CREATE INDEX ix_tenant_order_planned ON tenant_order (tenant_id, planned_date);

-- Geocoder answers by normalised address, shared by every tenant.
CREATE TABLE geocode_cache (
    address_key  VARCHAR(1000) NOT NULL,
    latitude     DOUBLE PRECISION,
    longitude    DOUBLE PRECISION,
    found        BOOLEAN NOT NULL,
    fetched_at   TIMESTAMP WITH TIME ZONE NOT NULL,
    CONSTRAINT pk_geocode_cache PRIMARY KEY (address_key)
);

-- WMS endpoints OpsBridge pulls orders from. The secret it sends is kept encrypted
-- (AES-GCM, key opsbridge.secrets.key), because it must be sent, not just checked.
CREATE TABLE pull_endpoint (
    id                VARCHAR(36)   NOT NULL,
    tenant_id         VARCHAR(36)   NOT NULL,
    url               VARCHAR(2000) NOT NULL,
    method            VARCHAR(8)    NOT NULL,
    interval_seconds  INTEGER,
    secret_encrypted  VARCHAR(500)  NOT NULL,
    created_at        TIMESTAMP WITH TIME ZONE NOT NULL,
    last_sync_at      TIMESTAMP WITH TIME ZONE,
    -- ok | failed
    last_status       VARCHAR(16),
    last_error        VARCHAR(1000),
    last_processed    INTEGER,
    last_created      INTEGER,
    last_updated      INTEGER,
    -- one node at a time runs a scheduled pull
    lease_until       TIMESTAMP WITH TIME ZONE,
    CONSTRAINT pk_pull_endpoint PRIMARY KEY (id),
    CONSTRAINT fk_pull_endpoint_tenant FOREIGN KEY (tenant_id) REFERENCES tenant (id)
);
