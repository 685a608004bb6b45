/** What the HTTP layer needs to know about a ClickHouse data format. */

const BINARY =
  /^(Native|RowBinary.*|Parquet|Arrow.*|ORC|Avro|AvroConfluent|Protobuf.*|MsgPack|CapnProto|BSONEachRow|Npy)$/i;

export function isBinaryFormat(format: string): boolean {
  return BINARY.test(format);
}

export function contentTypeFor(format: string): string {
  if (/^(TabSeparated|TSV)/i.test(format)) return 'text/tab-separated-values; charset=UTF-8';
  if (/^CSV/i.test(format)) {
    return `text/csv; charset=UTF-8; header=${/WithNames/i.test(format) ? 'present' : 'absent'}`;
  }
  if (/EachRow|^JSONLines$|^NDJSON$/i.test(format)) return 'application/x-ndjson; charset=UTF-8';
  if (/^JSON/i.test(format)) return 'application/json; charset=UTF-8';
  if (isBinaryFormat(format)) return 'application/octet-stream';
  return 'text/plain; charset=UTF-8';
}

/**
 * Rows in a result, where the format makes that exact and cheap: one line a row for the
 * line-delimited formats, the `rows` field of JSON. Undefined otherwise.
 */
export function countResultRows(format: string, body: Uint8Array): number | undefined {
  if (
    /^(JSONEachRow|JSONCompactEachRow|JSONStringsEachRow|JSONCompactStringsEachRow|JSONLines|NDJSON|TabSeparated|TSV|TabSeparatedRaw|TSVRaw)$/i.test(
      format,
    )
  ) {
    let rows = 0;
    for (let i = body.indexOf(10); i !== -1; i = body.indexOf(10, i + 1)) rows++;
    return rows;
  }
  if (/^(JSON|JSONCompact|JSONStrings|JSONCompactStrings)$/i.test(format)) {
    const m = /"rows":\s*(\d+)/.exec(
      Buffer.from(body.subarray(Math.max(0, body.length - 4096))).toString('utf8'),
    );
    return m ? Number(m[1]) : undefined;
  }
  return undefined;
}
