// A stretch of text a detector flagged: UTF-16 offsets into the text (end exclusive) and the label.
export interface Span {
  start: number;
  end: number;
  label: string;
}
