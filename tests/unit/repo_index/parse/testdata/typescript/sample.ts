// TypeScript sample for the golden test.
import { Thing } from "./thing";
import fs = require("fs");

export const LIMIT: number = 5;

/** A shape. */
export interface Shape {
  area(): number;
  name: string;
}

export type Id = string | number;

enum Color {
  Red,
  Green = 2,
}

namespace Geometry {
  export function origin(): Point {
    return { x: 0, y: 0 };
  }
}

export abstract class Circle implements Shape {
  name: string = "circle";
  abstract radius(): number;

  area(): number {
    return Math.PI * this.radius() ** 2;
  }
}

declare function external(id: Id): Thing;

const make = (id: Id): Circle => createCircle(id);
