import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { SAMPLE_BRAND, SAMPLE_MODELS } from './email/samples';
import { TEMPLATE_NAMES, isTemplateName, type Brand } from './email/template-models';
import { TemplateRenderer } from './email/templates';
import { BUILT_IN_TEMPLATE_DIR } from './paths';

const USAGE = `Renders an email template with sample data, without sending anything.

  npm run preview -w @billing/notifications -- <template> [options]
  npm run preview -w @billing/notifications -- --list

Options:
  --out <file>           write the rendered part to a file (default: print it)
  --part <html|text|subject>
                         which part (default: html, or text when --out ends in .txt)
  --data <file.json>     template data to use instead of the built-in sample
  --template-dir <dir>   override folder (default: $NOTIFICATIONS_TEMPLATE_DIR)
  --list                 list the templates

Templates: ${TEMPLATE_NAMES.join(', ')}
`;

export interface PreviewIo {
  out(text: string): void;
  err(text: string): void;
}

/** Runs the preview command; returns the exit code. */
export function runPreview(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  io: PreviewIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) },
): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        out: { type: 'string' },
        part: { type: 'string' },
        data: { type: 'string' },
        'template-dir': { type: 'string' },
        list: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(USAGE);
    return 0;
  }
  if (values.list) {
    io.out(`${TEMPLATE_NAMES.join('\n')}\n`);
    return 0;
  }
  const name = positionals[0];
  if (!name || !isTemplateName(name)) {
    io.err(`${name ? `unknown template "${name}"` : 'which template?'}\n\n${USAGE}`);
    return 2;
  }
  const part = values.part ?? (values.out?.endsWith('.txt') ? 'text' : 'html');
  if (part !== 'html' && part !== 'text' && part !== 'subject') {
    io.err(`--part must be html, text or subject\n`);
    return 2;
  }

  // npm runs workspace scripts in the package folder; INIT_CWD is where the operator typed the command.
  const fromCwd = (file: string) => path.resolve(env.INIT_CWD ?? process.cwd(), file);
  const overrideDir = values['template-dir'] ?? env.NOTIFICATIONS_TEMPLATE_DIR;
  const renderer = new TemplateRenderer({
    builtInDir: BUILT_IN_TEMPLATE_DIR,
    overrideDir: overrideDir ? fromCwd(overrideDir) : null,
  });
  const brand: Brand = {
    name: env.BRAND_NAME || SAMPLE_BRAND.name,
    supportEmail: env.SUPPORT_EMAIL || SAMPLE_BRAND.supportEmail,
    accountUrl: env.ACCOUNT_URL || SAMPLE_BRAND.accountUrl,
  };
  try {
    const model = values.data ? JSON.parse(readFileSync(fromCwd(values.data), 'utf8')) : SAMPLE_MODELS[name];
    const rendered = renderer.render(name, model, brand);
    const output = part === 'subject' ? `${rendered.subject}\n` : rendered[part];
    if (values.out) {
      const file = fromCwd(values.out);
      writeFileSync(file, output);
      io.out(`subject: ${rendered.subject}\nwrote ${part} to ${file}\n`);
    } else {
      io.out(output);
    }
    return 0;
  } catch (err) {
    io.err(`preview failed: ${(err as Error).message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = runPreview(process.argv.slice(2));
