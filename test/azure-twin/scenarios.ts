/** Named scenarios: each seeds a whole world (principals, role assignments, resources). */
import type { ArmResource, Principal, ResourceStore, World } from './api.ts';
import { baseWorld } from './framework/world.ts';

/** What a scenario seeds into (a `SeedTarget` for the providers' `seed*` helpers). */
export interface ScenarioTarget {
  world: World;
  store: ResourceStore;
  addPrincipal(principal: Principal): Principal;
}

export type Scenario = (target: ScenarioTarget) => void;

export const scenarios: Record<string, Scenario> = {
  healthy: () => {},
};

export const scenarioNames = (): string[] => Object.keys(scenarios);

/** A fresh base world (tenant, Dana, subscription, rg-orders). */
export function scenarioWorld(): World {
  return baseWorld();
}

export type { ArmResource };
