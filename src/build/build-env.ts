/**
 * The environment a build command runs with. It starts empty, not from the daemon's own
 * environment: the daemon's variables (its data directory, tokens, anything a service
 * manager put there) are none of a build's business, and a build that works only because
 * of them would not work on the next machine. What a build legitimately needs from the
 * host — where programs are, whose home and language, how to reach a registry through a
 * proxy — is copied by name.
 */

/** Host variables a build sees, when the host has them. */
export const BUILD_HOST_VARIABLES: readonly string[] = [
  'PATH',
  'HOME',
  'LANG',
  'LC_ALL',
  'LC_CTYPE',
  'TZ',
  'TMPDIR',
  'USER',
  'LOGNAME',
  // Package managers reach registries through these on machines that need them.
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
];

/** PATH when the host has none: the FHS directories, as a login shell would set. */
export const FALLBACK_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
/** Builds read and write UTF-8 unless told otherwise. */
export const FALLBACK_LANG = 'C.UTF-8';

export interface BuildEnvInput {
  host: Readonly<Record<string, string | undefined>>;
  app: string;
  /** HEAD's commit in a git checkout; builds stamp versions with it (Heroku's SOURCE_VERSION). */
  commit?: string | undefined;
  /** Build-time variables from the spec; they win over everything else. */
  variables?: Readonly<Record<string, string>> | undefined;
  /**
   * Set when the build runs as an unprivileged user rather than the daemon's: that user's
   * HOME. The host's USER and LOGNAME would then name the wrong user, so they are dropped.
   */
  home?: string | undefined;
}

export function buildEnvironment(input: BuildEnvInput): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of BUILD_HOST_VARIABLES) {
    const value = input.host[name];
    if (value !== undefined) env[name] = value;
  }
  env['PATH'] ??= FALLBACK_PATH;
  env['LANG'] ??= FALLBACK_LANG;
  if (input.home !== undefined) {
    env['HOME'] = input.home;
    delete env['USER'];
    delete env['LOGNAME'];
  }
  env['WHARF_APP'] = input.app;
  if (input.commit !== undefined) env['SOURCE_VERSION'] = input.commit;
  return { ...env, ...input.variables };
}

/**
 * The environment git runs with while taking a snapshot: the same host basics, so git finds
 * its global config, and nothing like GIT_DIR or GIT_INDEX_FILE that would make it read
 * another repository than the app's.
 */
export function gitEnvironment(host: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'LANG', 'LC_ALL', 'TMPDIR']) {
    const value = host[name];
    if (value !== undefined) env[name] = value;
  }
  env['PATH'] ??= FALLBACK_PATH;
  return env;
}
