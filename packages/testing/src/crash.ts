/** Thrown from a saga hook to stop the saga dead, as a killed process would. */
export class SimulatedCrash extends Error {}
