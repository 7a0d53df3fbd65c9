/**
 * The tolerances of issue 5's check, shared by the comparison (calibrate/validate/compare.ts)
 * and the calibration loss, whose hinge charges figures that leave them
 * (calibrate/fit/loss.ts): means 10 %, medians 10 %, 98th percentiles 25 %, connected users 1 %,
 * operation counts 10 %, each relative to the measured value.
 */
export const TOLERANCES = Object.freeze({ mean: 0.1, median: 0.1, p98: 0.25, connected: 0.01, counts: 0.1 });
