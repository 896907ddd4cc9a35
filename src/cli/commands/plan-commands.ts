import { createInterface } from 'node:readline/promises';
import { WharfError } from '../../errors.js';
import type { Plan } from '../../plan/types.js';
import { EXIT, type Command } from '../command.js';
import { connect } from '../connect.js';
import { print, printJson, useColor, type Io } from '../io.js';
import { APP, appDirOf, JSON_OPTION } from '../options.js';

export const plan: Command = {
  name: 'plan',
  summary: 'show what apply would change, terraform-style',
  usage: '[-e ENV] [-C DIR] [--json]',
  details: ['Exit status: 0 no changes, 2 changes, 1 error (terraform\'s -detailed-exitcode).'],
  options: { ...APP, ...JSON_OPTION },
  json: true,
  async run(ctx) {
    // The daemon reads and validates the spec (and picks the environment): reading it here
    // too would double the wait on a large spec.
    // The daemon renders the text too: see POST /v1/plan.
    const dir = appDirOf(ctx);
    const env = ctx.flags['env'] as string | undefined;
    const client = connect(ctx.io, ctx.flags);
    if (ctx.flags['json']) {
      const [{ plan: p }, { hasChanges }] = await Promise.all([client.plan({ dir, env }), import('../../plan/plan.js')]);
      printJson(ctx.io, p);
      return hasChanges(p) ? EXIT.CHANGES : EXIT.OK;
    }
    const rendered = await client.planText({ dir, env, color: useColor(ctx.io, ctx.flags) });
    ctx.io.stdout.write(rendered.text);
    return rendered.changes ? EXIT.CHANGES : EXIT.OK;
  },
};

export const apply: Command = {
  name: 'apply',
  summary: 'make the environment match the spec',
  usage: '[-e ENV] [-C DIR] [--yes] [--uncommitted] [--json]',
  details: [
    'Shows the plan and asks for "yes"; --yes approves it without asking (required without a terminal).',
    'In a git checkout the build is made from the commit at HEAD; --uncommitted builds the working tree.',
  ],
  options: { ...APP, ...JSON_OPTION, yes: { type: 'boolean', short: 'y' }, uncommitted: { type: 'boolean' } },
  async run(ctx) {
    const dir = appDirOf(ctx);
    const env = ctx.flags['env'] as string | undefined;
    const client = connect(ctx.io, ctx.flags);
    const color = useColor(ctx.io, ctx.flags);
    const json = ctx.flags['json'] === true;
    const [{ plan: p }, { hasChanges }, { renderPlan }] = await Promise.all([client.plan({ dir, env }), import('../../plan/plan.js'), import('../../plan/render.js')]);
    if (!json) ctx.io.stdout.write(renderPlan(p, { color }));
    if (!hasChanges(p)) {
      if (json) printJson(ctx.io, { plan: p, applied: 0 });
      return;
    }
    if (!ctx.flags['yes']) await confirmOrRefuse(ctx.io, p);
    const result = await client.apply({ dir, env: p.env, expectHash: p.hash, includeUncommitted: ctx.flags['uncommitted'] === true });
    if (json) return printJson(ctx.io, result);
    print(ctx.io, `\nApply complete! ${summaryLine(result.plan)}`);
  },
};

export function summaryLine(p: Plan): string {
  const s = p.summary;
  return `Resources: ${s.create} added, ${s.update} changed, ${s.replace} replaced, ${s.delete} destroyed.`;
}

async function confirmOrRefuse(io: Io, p: Plan): Promise<void> {
  if (!io.stdin.isTTY) {
    throw new WharfError('USAGE', 'apply needs approval, and there is no terminal to ask', { hint: 'review the plan above and pass --yes' });
  }
  const rl = createInterface({ input: io.stdin, output: io.stderr });
  try {
    const answer = await rl.question(`\nApply these changes to ${p.app}/${p.env}? Only 'yes' will be accepted: `);
    if (answer.trim() !== 'yes') throw new WharfError('USAGE', 'apply cancelled', { hint: 'nothing was changed' });
  } finally {
    rl.close();
  }
}
