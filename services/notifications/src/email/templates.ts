import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { formatDate, formatMoney } from './format';
import { SAMPLE_BRAND, SAMPLE_MODELS } from './samples';
import { TEMPLATE_NAMES, type Brand, type TemplateModels, type TemplateName } from './template-models';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

export interface TemplateSources {
  /** The templates shipped with the service. */
  builtInDir: string;
  /** Files here replace built-in files of the same name (one file at a time). */
  overrideDir: string | null;
}

export class TemplateError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TemplateError';
  }
}

/**
 * Renders `<name>.subject.hbs`, `<name>.html.hbs` and `<name>.text.hbs`, wrapping the HTML and text
 * bodies in `layout.html.hbs` / `layout.text.hbs`. Only the HTML part escapes values; subject and
 * text are plain text. Templates compile in strict mode: a missing field is an error, not a blank.
 */
export class TemplateRenderer {
  private readonly hbs = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();

  constructor(private readonly sources: TemplateSources) {
    this.hbs.registerHelper('money', (amount: unknown, currency: unknown) =>
      typeof amount === 'number' && typeof currency === 'string' ? formatMoney(amount, currency) : '',
    );
    this.hbs.registerHelper('date', (iso: unknown) => formatDate(typeof iso === 'string' ? iso : null));
    this.hbs.registerHelper('gt', (a: unknown, b: unknown) => Number(a) > Number(b));
    this.hbs.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  }

  /** Where a template file is read from: the override folder when it has it, else the built-in one. */
  fileOf(file: string): string {
    const override = this.sources.overrideDir && path.join(this.sources.overrideDir, file);
    if (override && existsSync(override)) return override;
    return path.join(this.sources.builtInDir, file);
  }

  render<K extends TemplateName>(name: K, model: TemplateModels[K], brand: Brand): RenderedEmail {
    const context = { ...model, brand };
    const subject = this.template(`${name}.subject.hbs`, 'text')(context).replace(/\s+/g, ' ').trim();
    if (!subject) throw new TemplateError(`${name}: the subject rendered empty`);
    const htmlBody = this.template(`${name}.html.hbs`, 'html')(context);
    const textBody = this.template(`${name}.text.hbs`, 'text')(context);
    return {
      subject,
      html: this.template('layout.html.hbs', 'html')({ subject, brand, body: htmlBody }),
      text: this.template('layout.text.hbs', 'text')({ subject, brand, body: textBody.trim() }).trim() + '\n',
    };
  }

  /** Renders every template with its sample data, so a broken override fails at start-up. */
  verifyAll(): void {
    for (const name of TEMPLATE_NAMES) this.render(name, SAMPLE_MODELS[name], SAMPLE_BRAND);
  }

  private template(file: string, kind: 'html' | 'text'): Handlebars.TemplateDelegate {
    const cached = this.compiled.get(file);
    if (cached) return cached;
    const source = this.fileOf(file);
    let text: string;
    try {
      text = readFileSync(source, 'utf8');
    } catch (err) {
      throw new TemplateError(`template ${file} not found (looked in ${source})`, { cause: err });
    }
    const compiled = this.hbs.compile(text, { strict: true, noEscape: kind === 'text' });
    const wrapped: Handlebars.TemplateDelegate = (context) => {
      try {
        return compiled(context);
      } catch (err) {
        throw new TemplateError(`template ${source}: ${(err as Error).message}`, { cause: err });
      }
    };
    this.compiled.set(file, wrapped);
    return wrapped;
  }
}
