/**
 * What `wharf addons destroy` may do. Pure. Data is deleted only with `--purge` and the
 * app's name typed as `--confirm`; production's add-ons are not even detached without
 * that name, because a detached database takes the app down.
 */
import { DEFAULT_ENVIRONMENT } from '../defaults.js';
import { WharfError } from '../errors.js';

export interface DestroyRequest {
  app: string;
  env: string;
  name: string;
  purge: boolean;
  confirm?: string | undefined;
}

export type DestroyAction = 'detach' | 'purge';

export function decideDestroy(r: DestroyRequest): DestroyAction {
  const confirmed = r.confirm === r.app;
  const command = `wharf addons destroy ${r.name} -e ${r.env}${r.purge ? ' --purge' : ''} --confirm ${r.app}`;
  if (r.confirm !== undefined && !confirmed) {
    throw new WharfError('CONFIRMATION_REQUIRED', `--confirm "${r.confirm}" is not the app's name ("${r.app}")`, { hint: `To go ahead, type: ${command}` });
  }
  if (r.purge && !confirmed) {
    throw new WharfError('CONFIRMATION_REQUIRED', `purging add-on ${r.name} of ${r.app}/${r.env} deletes its data for good; it needs the app's name`, {
      hint: `To go ahead, type: ${command}   (without --purge the data is kept and the add-on only detached)`,
    });
  }
  if (r.env === DEFAULT_ENVIRONMENT && !confirmed) {
    throw new WharfError('CONFIRMATION_REQUIRED', `add-on ${r.name} is production's; destroying it takes it away from the running app`, {
      hint: `To go ahead, type: ${command}   (the data is kept; add --purge to delete it)`,
    });
  }
  return r.purge ? 'purge' : 'detach';
}
