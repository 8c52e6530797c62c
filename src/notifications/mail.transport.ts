import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import nodemailer, { type Transporter } from 'nodemailer';
import { APP_CONFIG, type AppConfig } from '../config/config.js';

export interface OutgoingMail {
  to: string;
  cc: string[];
  subject: string;
  html: string;
  text: string;
  /** stable per outbox row, so a receiver can tell a resend from a new email */
  messageId: string;
  /** inline images the HTML shows with <img src="cid:…">, and files (cid null) */
  attachments?: MailAttachment[];
}

export interface MailAttachment {
  filename: string;
  contentType: string;
  /** an inline image's Content-ID; null for a plain attachment (the 通报's .docx) */
  cid: string | null;
  content: Buffer;
}

/** SMTP through nodemailer: the one side effect of sending, behind a small class. */
@Injectable()
export class MailTransport implements OnModuleDestroy {
  private readonly transporter: Transporter;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.transporter = nodemailer.createTransport(config.smtpUrl, { from: config.mailFrom });
  }

  /** Resolves with the SMTP server's answer (its queue id where it gives one). */
  async send(mail: OutgoingMail): Promise<{ messageId: string; response: string }> {
    const info = await this.transporter.sendMail({
      to: mail.to,
      cc: mail.cc.length ? mail.cc : undefined,
      subject: mail.subject,
      html: mail.html,
      text: mail.text,
      messageId: mail.messageId,
      // With a cid, nodemailer puts the HTML and its images in one multipart/related part; without, a plain attachment
      // (its file name, Chinese too, encoded as RFC 2231 says).
      attachments: mail.attachments?.map((a) => (a.cid
        ? { filename: a.filename, contentType: a.contentType, cid: a.cid, content: a.content, contentDisposition: 'inline' as const }
        : { filename: a.filename, contentType: a.contentType, content: a.content, contentDisposition: 'attachment' as const })),
    });
    return { messageId: info.messageId ?? mail.messageId, response: info.response ?? '' };
  }

  onModuleDestroy(): void {
    this.transporter.close();
  }
}
