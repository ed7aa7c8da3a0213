-- A pull URL that carries credentials (user:password@, ?apiKey=, ?token=, ...) is kept encrypted
-- here (SecretBox, like the endpoint's secret); the url column then holds it masked, for display.
-- NULL when the URL carries none: url is the URL itself.
ALTER TABLE pull_endpoint ADD COLUMN url_encrypted VARCHAR(4000);
