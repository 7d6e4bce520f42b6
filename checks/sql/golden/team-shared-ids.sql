WITH lines AS (SELECT 0 AS part, path, line FROM (SELECT "$path" AS path, line FROM pixel.raw_lines WHERE year = '2026' AND month = '02' AND day = '10') AS a UNION ALL SELECT 1 AS part, path, line FROM (SELECT "$path" AS path, line FROM pixel.raw_lines WHERE year = '2026' AND month = '02' AND day = '11') AS b),
split AS (
  SELECT part, path, line,
         CASE WHEN (try(json_parse(line)) IS NOT NULL) THEN ARRAY[line]
              WHEN cardinality(filter(split(regexp_replace(line, '\}[ \t\r\n]*\{', '}' || chr(30) || '{'), ''), p -> coalesce(NOT (try(json_parse(p)) IS NOT NULL), false))) = 0 THEN split(regexp_replace(line, '\}[ \t\r\n]*\{', '}' || chr(30) || '{'), '')
         END AS pieces
  FROM lines
  WHERE line IS NOT NULL AND NOT (NOT regexp_like(line, '[^ \t\r\n]'))
),
records AS (
  SELECT part, path, json_parse(piece) AS r
  FROM split CROSS JOIN UNNEST(pieces) AS cut(piece)
  WHERE pieces IS NOT NULL
),
fields AS (
  SELECT part, path, r,
         filter(ARRAY[CAST(NULL AS VARCHAR)], e -> e IS NOT NULL) AS errs,
         coalesce((CASE WHEN json_extract(r, '$["source"]') IS NULL THEN NULL ELSE CASE substr(json_format(json_extract(r, '$["source"]')), 1, 1) WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN '"' THEN 'string' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' WHEN 'n' THEN 'null' ELSE 'number' END END = 'string' AND try_cast(json_extract(r, '$["source"]') AS VARCHAR) = 'canary'), false) AS is_canary,
         CASE CASE WHEN json_extract(r, '$["event_id"]') IS NULL THEN NULL ELSE CASE substr(json_format(json_extract(r, '$["event_id"]')), 1, 1) WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN '"' THEN 'string' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' WHEN 'n' THEN 'null' ELSE 'number' END END WHEN 'string' THEN CASE WHEN try_cast(json_extract(r, '$["event_id"]') AS VARCHAR) = '' THEN NULL WHEN regexp_like(try_cast(json_extract(r, '$["event_id"]') AS VARCHAR), '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\z') THEN 'u:' || lower(replace(try_cast(json_extract(r, '$["event_id"]') AS VARCHAR), '-', '')) ELSE 's:' || try_cast(json_extract(r, '$["event_id"]') AS VARCHAR) END WHEN 'number' THEN 's:#' || CAST(try_cast(json_extract(r, '$["event_id"]') AS DOUBLE) AS VARCHAR) END AS id,
         CASE WHEN CASE WHEN json_extract(r, '$["ts"]') IS NULL THEN NULL ELSE CASE substr(json_format(json_extract(r, '$["ts"]')), 1, 1) WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN '"' THEN 'string' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' WHEN 'n' THEN 'null' ELSE 'number' END END = 'string' THEN CAST(to_unixtime(try(from_iso8601_timestamp(try_cast(json_extract(r, '$["ts"]') AS VARCHAR)))) * 1000 AS BIGINT) END AS t,
         CAST(to_unixtime(from_iso8601_timestamp(format('%04d-%02d-%02dT%02d:%02d:%02dZ', CAST(regexp_extract(path, 'year=(\d{4})/month=(\d{1,2})/day=(\d{1,2})/hour=(\d{1,2})/[^/]+\z', 1) AS INTEGER), CAST(regexp_extract(path, 'year=(\d{4})/month=(\d{1,2})/day=(\d{1,2})/hour=(\d{1,2})/[^/]+\z', 2) AS INTEGER), CAST(regexp_extract(path, 'year=(\d{4})/month=(\d{1,2})/day=(\d{1,2})/hour=(\d{1,2})/[^/]+\z', 3) AS INTEGER), CAST(regexp_extract(path, 'year=(\d{4})/month=(\d{1,2})/day=(\d{1,2})/hour=(\d{1,2})/[^/]+\z', 4) AS INTEGER), 0, 0))) * 1000 AS BIGINT) AS hs,
         CAST(to_unixtime(from_iso8601_timestamp(format('%04d-%02d-%02dT%02d:%02d:%02dZ', CAST(regexp_extract(path, '-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[gG][zZ])?\z', 1) AS INTEGER), CAST(regexp_extract(path, '-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[gG][zZ])?\z', 2) AS INTEGER), CAST(regexp_extract(path, '-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[gG][zZ])?\z', 3) AS INTEGER), CAST(regexp_extract(path, '-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[gG][zZ])?\z', 4) AS INTEGER), CAST(regexp_extract(path, '-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[gG][zZ])?\z', 5) AS INTEGER), CAST(regexp_extract(path, '-(\d{4})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}(\.[gG][zZ])?\z', 6) AS INTEGER)))) * 1000 AS BIGINT) AS arrival,
         coalesce(CASE WHEN json_extract(r, '$["client_ip"]') IS NULL THEN NULL ELSE CASE substr(json_format(json_extract(r, '$["client_ip"]')), 1, 1) WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN '"' THEN 'string' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' WHEN 'n' THEN 'null' ELSE 'number' END END <> 'null', false) AS ip_seen,
         CASE WHEN CASE WHEN json_extract(r, '$["client_ip"]') IS NULL THEN NULL ELSE CASE substr(json_format(json_extract(r, '$["client_ip"]')), 1, 1) WHEN '{' THEN 'object' WHEN '[' THEN 'array' WHEN '"' THEN 'string' WHEN 't' THEN 'boolean' WHEN 'f' THEN 'boolean' WHEN 'n' THEN 'null' ELSE 'number' END END = 'string' THEN try_cast(json_extract(r, '$["client_ip"]') AS VARCHAR) END AS ip
  FROM records
),
judged AS (
  SELECT part, path, r, errs, is_canary, id, t, hs, arrival, ip_seen, ip,
         cardinality(errs) = 0 AS valid,
         coalesce(regexp_like(ip, '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\z') AND CAST(regexp_extract(ip, '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\z', 1) AS INTEGER) <= 255 AND CAST(regexp_extract(ip, '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\z', 2) AS INTEGER) <= 255 AND CAST(regexp_extract(ip, '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\z', 3) AS INTEGER) <= 255 AND CAST(regexp_extract(ip, '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\z', 4) AS INTEGER) <= 255 AND CAST(regexp_extract(ip, '^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\z', 4) AS INTEGER) <> 0, false) AS raw_ip,
         coalesce(cardinality(errs) = 0 AND t IS NOT NULL AND (t < hs - 900000 OR t >= hs + 4500000), false) AS misplaced,
         coalesce(cardinality(errs) = 0 AND t >= hs - 900000 AND t < hs + 4500000, false) AS placed
  FROM fields
),
ids AS (
  SELECT id, part, path, hs, count_if(is_canary) AS nc
  FROM judged
  WHERE id IS NOT NULL
  GROUP BY id, part, path, hs
),
shared AS (
  SELECT id
  FROM ids
  GROUP BY id
  HAVING count(DISTINCT part) = 2
)
SELECT id, part, path, hs, nc
FROM ids
WHERE id IN (SELECT id FROM shared)
ORDER BY id, part, hs, path
