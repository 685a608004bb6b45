import type avro from 'avsc';

/**
 * Whether bytes hold exactly one Avro value of a type, without decoding it: each varint,
 * length, union branch and enum symbol is read and checked, nothing is built. Avro carries no
 * length of its own, so a value cut short, or with bytes after it, is only noticed when
 * something reads past it: a reader of many values in a row (ClickHouse's AvroConfluent input)
 * would read on into the next one and land a wrong row.
 */
export type ExtentCheck = (bytes: Uint8Array, start: number) => boolean;

/** Thrown inside a check when the bytes end early or hold what the type cannot. */
const BAD = new Error('not one value of the type');

/** Where a walk is: the bytes, where it is and where they end. */
interface Cursor {
  b: Uint8Array;
  at: number;
}

type Skip = (c: Cursor) => void;

/** The most items of no bytes (nulls, empty records) one block may count. */
const ZERO_BYTE_ITEMS = 65_536;

/** Reads an Avro long (zig-zag varint, at most 10 bytes) as a JS number (exact to 2^53). */
function long(c: Cursor): number {
  let n = 0;
  let scale = 1;
  for (let i = 0; i < 10; i++) {
    if (c.at >= c.b.length) throw BAD;
    const byte = c.b[c.at++]!;
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
    scale *= 128;
  }
  throw BAD;
}

function take(c: Cursor, n: number): void {
  if (n < 0 || c.at + n > c.b.length) throw BAD;
  c.at += n;
}

/** The fewest bytes a value of the type can take: bounds the item count of a block. */
function fewest(type: avro.Type, seen = new Set<avro.Type>()): number {
  if (seen.has(type)) return 1; // a recursive record takes at least its union's branch byte
  seen.add(type);
  const t = type as unknown as Record<string, unknown>;
  switch (type.typeName) {
    case 'null':
      return 0;
    case 'float':
      return 4;
    case 'double':
      return 8;
    case 'fixed':
      return t.size as number;
    case 'record':
    case 'error':
      return (t.fields as avro.types.Field[]).reduce((n, f) => n + fewest(f.type, seen), 0);
    default:
      return type.typeName.startsWith('logical:') ? fewest(t.underlyingType as avro.Type, seen) : 1;
  }
}

/** Walks a block-encoded array or map: counts, optional byte sizes, then the items. */
function blocks(item: Skip, least: number): Skip {
  return (c) => {
    for (;;) {
      let count = long(c);
      if (count === 0) return;
      if (count < 0) {
        count = -count;
        long(c); // the block's size in bytes
      }
      // Items of no bytes (nulls) cannot run past the end: their count is bounded instead
      // (more is no value a producer of ours writes; the decoding path still reads it).
      const room = least > 0 ? (c.b.length - c.at) / least : ZERO_BYTE_ITEMS;
      if (count > room) throw BAD;
      for (let i = 0; i < count; i++) item(c);
    }
  };
}

function compile(type: avro.Type, made: Map<avro.Type, Skip>): Skip {
  const done = made.get(type);
  if (done) return done;
  let inner: Skip = () => {
    throw BAD;
  };
  // A recursive type reaches itself before it is built: it goes through this indirection.
  made.set(type, (c) => inner(c));
  const t = type as unknown as Record<string, unknown>;
  switch (type.typeName) {
    case 'null':
      inner = () => {};
      break;
    case 'boolean':
      inner = (c) => {
        if (c.at >= c.b.length || c.b[c.at]! > 1) throw BAD;
        c.at++;
      };
      break;
    case 'int':
    case 'long':
      inner = (c) => void long(c);
      break;
    case 'float':
      inner = (c) => take(c, 4);
      break;
    case 'double':
      inner = (c) => take(c, 8);
      break;
    case 'string':
    case 'bytes':
      inner = (c) => take(c, long(c));
      break;
    case 'fixed': {
      const size = t.size as number;
      inner = (c) => take(c, size);
      break;
    }
    case 'enum': {
      const symbols = (t.symbols as string[]).length;
      inner = (c) => {
        const i = long(c);
        if (i < 0 || i >= symbols) throw BAD;
      };
      break;
    }
    case 'array': {
      const items = t.itemsType as avro.Type;
      inner = blocks(compile(items, made), fewest(items));
      break;
    }
    case 'map': {
      const values = t.valuesType as avro.Type;
      const value = compile(values, made);
      inner = blocks((c) => {
        take(c, long(c));
        value(c);
      }, 1);
      break;
    }
    case 'record':
    case 'error': {
      const fields = (t.fields as avro.types.Field[]).map((f) => compile(f.type, made));
      inner = (c) => {
        for (const f of fields) f(c);
      };
      break;
    }
    default:
      if (type.typeName.startsWith('union:')) {
        const branches = (t.types as avro.Type[]).map((b) => compile(b, made));
        inner = (c) => {
          const i = long(c);
          if (i < 0 || i >= branches.length) throw BAD;
          branches[i]!(c);
        };
      } else if (type.typeName.startsWith('logical:')) {
        inner = compile(t.underlyingType as avro.Type, made);
      } else throw new Error(`no extent check for Avro type ${type.typeName}`);
  }
  return made.get(type)!;
}

/**
 * A check that the bytes from `start` to their end are exactly one value of the type. Built
 * once per type (it walks the schema), then costs a pass over the bytes and no allocation.
 */
export function extentCheck(type: avro.Type): ExtentCheck {
  const skip = compile(type, new Map());
  return (bytes, start) => {
    const c: Cursor = { b: bytes, at: start };
    try {
      skip(c);
    } catch (err) {
      if (err === BAD) return false;
      throw err;
    }
    return c.at === bytes.length;
  };
}
