import type { Target, TargetContext } from '../../apply/target.js';
import type { ResourceChange } from '../../plan/types.js';

/** A target that only remembers what it was asked to do: proves the apply path, runs nothing. */
export class RecordingTarget implements Target {
  readonly name = 'recording';
  readonly applied: { ctx: TargetContext; change: ResourceChange }[] = [];

  async apply(change: ResourceChange, ctx: TargetContext): Promise<void> {
    this.applied.push({ ctx, change });
  }
}
