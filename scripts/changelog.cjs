/**
 * Changesets changelog generator: GitHub-style entries without the network.
 *
 * `@changesets/changelog-github` asks the GitHub API for the PR number and
 * author of every changeset, so it needs a GITHUB_TOKEN and network access at
 * `changeset version` time. We version offline (locally and in CI), so this
 * module writes the same shape from what git already knows: the commit that
 * added the changeset (changesets passes it in), linked to the repository.
 * PR number and author can be given in the changeset summary with the same
 * override lines changelog-github understands:
 *
 *   pr: #123
 *   author: @octocat
 *   commit: abc1234
 *
 * Config: `"changelog": ["../scripts/changelog.cjs", { "repo": "wirekit/wirekit" }]`.
 */

/** @param {unknown} options */
function repoUrl(options) {
  const repo =
    options && typeof options === 'object' && 'repo' in options ? options.repo : undefined;
  if (typeof repo !== 'string' || !/^[\w.-]+\/[\w.-]+$/.test(repo)) {
    throw new Error(
      'scripts/changelog.cjs: set { "repo": "<owner>/<name>" } as the changelog option in .changeset/config.json',
    );
  }
  return `https://github.com/${repo}`;
}

/**
 * Splits the `pr:`, `commit:` and `author:` override lines off a summary.
 * @param {string} summary
 */
function parseSummary(summary) {
  /** @type {{ pr?: string, commit?: string, authors: string[] }} */
  const meta = { authors: [] };
  const body = summary
    .replace(/^\s*(?:pr|pull|pull\s+request):\s*#?(\d+)\s*$/gim, (_, pr) => {
      meta.pr = pr;
      return '';
    })
    .replace(/^\s*commit:\s*([0-9a-f]{7,40})\s*$/gim, (_, commit) => {
      meta.commit = commit;
      return '';
    })
    .replace(/^\s*(?:author|user):\s*@?([\w-]+)\s*$/gim, (_, user) => {
      meta.authors.push(user);
      return '';
    })
    .trim();
  return { body, meta };
}

/** @param {string} url @param {string} commit */
const commitLink = (url, commit) => `[\`${commit.slice(0, 7)}\`](${url}/commit/${commit})`;

/** @type {import('@changesets/types').ChangelogFunctions} */
const changelogFunctions = {
  async getReleaseLine(changeset, _type, options) {
    const url = repoUrl(options);
    const { body, meta } = parseSummary(changeset.summary);
    const commit = meta.commit ?? changeset.commit;
    const [firstLine = '', ...rest] = body.split('\n');
    const prefix = [
      meta.pr ? `[#${meta.pr}](${url}/pull/${meta.pr})` : '',
      commit ? commitLink(url, commit) : '',
      meta.authors.length
        ? `Thanks ${meta.authors.map((u) => `[@${u}](https://github.com/${u})`).join(', ')}!`
        : '',
    ]
      .filter(Boolean)
      .join(' ');
    const head = prefix ? `${prefix} - ${firstLine}` : firstLine;
    const tail = rest.map((line) => `  ${line}`.trimEnd()).join('\n');
    return `\n- ${head}${tail ? `\n${tail}` : ''}\n`;
  },

  async getDependencyReleaseLine(changesets, dependenciesUpdated, options) {
    if (dependenciesUpdated.length === 0) return '';
    const url = repoUrl(options);
    const commits = changesets
      .map((cs) => parseSummary(cs.summary).meta.commit ?? cs.commit)
      .filter((c) => typeof c === 'string');
    const links = commits.length ? ` ${commits.map((c) => commitLink(url, c)).join(', ')}` : '';
    const deps = dependenciesUpdated.map((dep) => `  - ${dep.name}@${dep.newVersion}`);
    return [`- Updated dependencies${links}:`, ...deps].join('\n');
  },
};

module.exports = changelogFunctions;
