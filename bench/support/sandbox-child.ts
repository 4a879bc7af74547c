/**
 * The sandbox in a process of its own, so the gateway under measurement shares neither its event
 * loop nor its heap with the simulators (as with real, remote upstreams). Started by
 * `sandbox-process.ts`.
 */
import { startSandbox, type SandboxOptions } from '@rostergate/sandbox';
import { childArgument, serveUntilDisconnect } from './child.js';

const sandbox = await startSandbox(childArgument<SandboxOptions>());
serveUntilDisconnect(
  {
    bamboohr: { url: sandbox.bamboohr.url, companyDomain: sandbox.bamboohr.companyDomain },
    namely: { url: sandbox.namely.url, baseUrl: sandbox.namely.baseUrl },
    litmos: { url: sandbox.litmos.url, baseUrl: sandbox.litmos.baseUrl },
    departments: sandbox.companies.bamboohr.departments,
  },
  () => sandbox.close(),
);
