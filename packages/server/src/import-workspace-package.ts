/**
 * Loads a package of the agentmesh workspace that the node does not depend on (the demo, the
 * bench): there in a clone of the repository after `npm install`, absent where only the
 * `agentmesh` package is installed. A missing package fails with a message saying where to get it.
 */
export async function importWorkspacePackage<T>(
  name: string,
  use: { feature: string; command: string },
): Promise<T> {
  try {
    return (await import(name)) as T
  } catch (error) {
    const missing =
      (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' &&
      (error as Error).message.includes(`'${name}'`)
    if (!missing) throw error
    throw new Error(
      `${use.feature} needs the package "${name}", which is not installed: it comes with the ` +
        `agentmesh repository, not with the agentmesh package (in a clone: npm install, then ` +
        `${use.command})`,
      { cause: error },
    )
  }
}
