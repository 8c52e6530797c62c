/** Why an uploaded document gives no text: its type is not taken, it is empty, damaged, or a scan without a text layer. */
export class UnreadableDocument extends Error {
  constructor(readonly reason: 'type' | 'empty' | 'damaged' | 'no-text' | 'too-long', message: string) {
    super(message);
  }
}
