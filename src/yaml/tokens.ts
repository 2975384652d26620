/** Token kinds, as libyaml/go-yaml v2 name them. Numbers, so that the queue can hold them in arrays. */
export const STREAM_START = 1;
export const STREAM_END = 2;
export const VERSION_DIRECTIVE = 3;
export const TAG_DIRECTIVE = 4;
export const DOCUMENT_START = 5;
export const DOCUMENT_END = 6;
export const BLOCK_SEQUENCE_START = 7;
export const BLOCK_MAPPING_START = 8;
export const BLOCK_END = 9;
export const FLOW_SEQUENCE_START = 10;
export const FLOW_SEQUENCE_END = 11;
export const FLOW_MAPPING_START = 12;
export const FLOW_MAPPING_END = 13;
export const BLOCK_ENTRY = 14;
export const FLOW_ENTRY = 15;
export const KEY = 16;
export const VALUE = 17;
export const ALIAS = 18;
export const ANCHOR = 19;
export const TAG = 20;
export const SCALAR = 21;

/** Scalar styles. Only "plain or not" changes a value; the others matter for positions. */
export const PLAIN = 0;
export const SINGLE_QUOTED = 1;
export const DOUBLE_QUOTED = 2;
export const LITERAL = 3;
export const FOLDED = 4;
