import { StackError } from './errors.js';
import { freePort, isPortFree } from './ports.js';

export const DEFAULT_PORTS = {
  kafka: 9092,
  kafkaController: 9093,
  clickhouse: 8123,
  registry: 8081,
  redis: 6379,
};

export interface PortPlan {
  kafka: number;
  kafkaController: number;
  clickhouse: number;
  registry: number;
}

/** 'default': the well-known ports; 'auto': free ones (tests); or ports given one by one. */
export type PortChoice = 'default' | 'auto' | Partial<PortPlan>;

const PORT_NAMES: Record<keyof PortPlan, string> = {
  kafka: 'Kafka',
  kafkaController: 'Kafka controller',
  clickhouse: 'ClickHouse HTTP',
  registry: 'schema registry',
};

async function choosePort(preferred: number, what: string): Promise<number> {
  if (!(await isPortFree(preferred))) {
    throw new StackError(
      `Port ${preferred} (${what}) is taken by another process.`,
      `Stop whatever listens there (ss -ltnp 'sport = :${preferred}'), or run the stack on free ports with --ports auto.`,
    );
  }
  return preferred;
}

/**
 * Ports of Kafka nodes 2…N: from 9094 (node 2: 9094 and 9095 for its controller, node 3:
 * 9096 and 9097), or free ones; a node that runs keeps its own.
 */
export async function planPeerPorts(
  choice: PortChoice,
  nodes: number,
  reused: ReadonlyMap<number, { port: number; controllerPort: number }>,
  taken: readonly number[],
): Promise<{ nodeId: number; port: number; controllerPort: number }[]> {
  const plan: { nodeId: number; port: number; controllerPort: number }[] = [];
  const used = [...taken];
  const pick = async (preferred: number, what: string) => {
    let port: number;
    if (choice === 'auto') {
      port = await freePort();
      while (used.includes(port)) port = await freePort();
    } else port = await choosePort(preferred, what);
    used.push(port);
    return port;
  };
  for (let nodeId = 2; nodeId <= nodes; nodeId++) {
    const kept = reused.get(nodeId);
    if (kept) {
      plan.push({ nodeId, port: kept.port, controllerPort: kept.controllerPort });
      continue;
    }
    const base = DEFAULT_PORTS.kafka + 2 * (nodeId - 1);
    const port = await pick(base, `Kafka node ${nodeId}`);
    const controllerPort = await pick(base + 1, `Kafka node ${nodeId} controller`);
    plan.push({ nodeId, port, controllerPort });
  }
  return plan;
}

/**
 * Chooses a port for every component that is not already running, before anything starts,
 * so a taken port fails the whole `up` without leaving half a stack behind.
 */
export async function planPorts(choice: PortChoice, reused: Partial<PortPlan>): Promise<PortPlan> {
  const plan: Partial<PortPlan> = {};
  for (const key of Object.keys(PORT_NAMES) as (keyof PortPlan)[]) {
    const kept = reused[key];
    if (kept !== undefined) {
      plan[key] = kept;
    } else if (choice === 'auto') {
      let port = await freePort();
      while (Object.values(plan).includes(port)) port = await freePort();
      plan[key] = port;
    } else {
      const preferred = (choice === 'default' ? undefined : choice[key]) ?? DEFAULT_PORTS[key];
      plan[key] = await choosePort(preferred, PORT_NAMES[key]);
    }
  }
  return plan as PortPlan;
}
