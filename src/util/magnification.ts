// Magnification and microns per pixel, one convention everywhere (as native/core/util/magnification.h):
// 10x is 1 um per pixel, magnification = 10 / mpp.

const MICRONS_AT_ONE_X = 10;

export const mppAt = (magnification: number): number => MICRONS_AT_ONE_X / magnification;
export const magnificationAt = (mpp: number): number => MICRONS_AT_ONE_X / mpp;

/** Two magnifications name the same level when they agree to 1e-6 (relative): stores and weights carry them as JSON numbers. */
export const sameMagnification = (a: number, b: number): boolean => Math.abs(a - b) < 1e-6 * Math.abs(b);
