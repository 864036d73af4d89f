import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { AsyncByteQueue, Field, Int32, Int64, makeBuilder, makeData, RecordBatch, RecordBatchFileWriter, Schema, Struct, TimestampMillisecond, Utf8, type Data, type DataType } from 'apache-arrow';
import type { ColumnChunk, JsValue, Store } from '../db/store.js';

/**
 * evidence.arrow: Arrow IPC (file format) written a DuckDB chunk at a time, neither the rows nor
 * the file held in memory. The node bindings do not offer DuckDB's Arrow export, and reading text
 * a value at a time costs a native call per value (20 s for 130,000 rows); so DuckDB packs each
 * row's text columns into one BLOB with their byte lengths beside it, and each chunk's text
 * columns are cut out of those into Arrow's offsets and data buffers directly.
 */

/** The columns as they come from the query: event_time in epoch milliseconds, the rest as in the other evidence files. */
export function arrowSchema(columns: readonly string[]): Schema {
  return new Schema(columns.map((c) => new Field(c, c === 'event_time' ? new TimestampMillisecond() : c === 'line' || c === 'bytes' ? new Int64() : c === 'status' ? new Int32() : new Utf8(), true)));
}

type SinkInput = Parameters<AsyncByteQueue['write']>[0];

/** Hands each piece the Arrow writer produces straight to a file stream instead of gathering them. */
class FileStreamSink extends AsyncByteQueue {
  constructor(private readonly out: WriteStream) {
    super();
  }

  override write(value: SinkInput): void {
    const view = ArrayBuffer.isView(value) ? value : new Uint8Array(value as ArrayBufferLike);
    if (view.byteLength > 0) this.out.write(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
  }
}

const isText = (type: DataType) => type instanceof Utf8;

/**
 * The query for `schema` over `relation`: the non-text columns as they are, then each text
 * column's byte length (NULL for NULL), then the text columns concatenated as one BLOB.
 */
export function packedSql(schema: Schema, expression: (column: string) => string, from: string): string {
  const text = schema.fields.filter((f) => isText(f.type as DataType)).map((f) => expression(f.name));
  const other = schema.fields.filter((f) => !isText(f.type as DataType)).map((f) => `${expression(f.name)} AS ${f.name}`);
  return `SELECT ${[...other, ...text.map((t, i) => `strlen(${t}) AS len_${i}`), `encode(concat(${text.join(', ')})) AS packed`].join(', ')} ${from}`;
}

/** The text columns of one chunk, cut from the packed rows: Arrow Utf8 data, column by column. */
function textColumns(rows: number, lengths: readonly (readonly JsValue[])[], packed: readonly JsValue[]): Data[] {
  const at = new Int32Array(rows);
  return lengths.map((column) => {
    let total = 0;
    for (const n of column) total += (n as number | null) ?? 0;
    const data = new Uint8Array(total);
    const valueOffsets = new Int32Array(rows + 1);
    // Rounded up to 64 bytes as apache-arrow's own builders do, so the file is the same either way.
    const nullBitmap = new Uint8Array(Math.ceil(rows / 512) * 64);
    let nullCount = 0;
    let end = 0;
    for (let r = 0; r < rows; r++) {
      const n = column[r] as number | null;
      if (n === null) nullCount++;
      else {
        nullBitmap[r >> 3]! |= 1 << (r & 7);
        data.set((packed[r] as Uint8Array).subarray(at[r]!, at[r]! + n), end);
        at[r]! += n;
        end += n;
      }
      valueOffsets[r + 1] = end;
    }
    return makeData({ type: new Utf8(), length: rows, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : null, valueOffsets, data });
  });
}

function otherColumn(type: DataType, values: readonly JsValue[]): Data {
  const builder = makeBuilder({ type, nullValues: [null] });
  for (const v of values) builder.append(v === null ? null : type instanceof Int64 ? BigInt(v as number) : Number(v));
  return builder.finish().flush();
}

/** One chunk of `packedSql`'s rows as a record batch of `schema`. */
function recordBatch(schema: Schema, chunk: ColumnChunk): RecordBatch {
  const fields = schema.fields;
  const other = fields.filter((f) => !isText(f.type as DataType)).length;
  const text = textColumns(chunk.rows, chunk.columns.slice(other, fields.length), chunk.columns[fields.length]!);
  let t = 0;
  let o = 0;
  const children = fields.map((f) => (isText(f.type as DataType) ? text[t++]! : otherColumn(f.type as DataType, chunk.columns[o++]!)));
  return new RecordBatch(schema, makeData({ type: new Struct(fields), length: chunk.rows, nullCount: 0, children }));
}

/** Writes the rows of `sql`, a `packedSql` query for `schema`, to `file` as Arrow IPC. */
export async function writeArrowFile(store: Store, sql: string, schema: Schema, file: string): Promise<void> {
  const out = createWriteStream(file);
  const failed = new Promise<never>((_, reject) => out.once('error', reject));
  failed.catch(() => undefined);
  const writer = new RecordBatchFileWriter();
  writer.reset(new FileStreamSink(out), schema);
  try {
    for await (const chunk of store.columnChunks(sql)) {
      writer.write(recordBatch(schema, chunk));
      if (out.writableNeedDrain) await Promise.race([once(out, 'drain'), failed]);
    }
    writer.finish();
  } finally {
    out.end();
  }
  await Promise.race([finished(out), failed]);
}
