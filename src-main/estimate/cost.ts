// Energy and money of a run: device power × time, the local electricity price, a cloud price per GPU-hour.

export interface CostInput {
  seconds: number;
  /** Board power while training, W: the catalog's TDP × powerFraction, or what the user entered. */
  powerW: number | null;
  /** Price of one kWh in the user's currency; null = not asked. */
  pricePerKwh: number | null;
  /** Cloud price per GPU-hour; null = not renting. */
  pricePerHour: number | null;
}

export interface CostEstimate {
  hours: number;
  energyKwh: number | null;
  electricityCost: number | null;
  cloudCost: number | null;
}

/** GPUs under a training load draw most, not all, of their TDP; 0.8 is a planning figure, editable per run. */
export const DEFAULT_POWER_FRACTION = 0.8;

export function estimateCost(c: CostInput): CostEstimate {
  const hours = c.seconds / 3600;
  const energyKwh = c.powerW == null ? null : (c.powerW * hours) / 1000;
  return {
    hours,
    energyKwh,
    electricityCost: energyKwh == null || c.pricePerKwh == null ? null : energyKwh * c.pricePerKwh,
    cloudCost: c.pricePerHour == null ? null : hours * c.pricePerHour,
  };
}
