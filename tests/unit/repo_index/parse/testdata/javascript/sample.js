// JavaScript sample for the golden test.
import { readFile } from "./io.js";
import React from "react";
const path = require("path");
export { util } from "./util";

const MAX = 3;
let counter = 0;

/**
 * Adds two numbers.
 */
function add(a, b) {
  return a + b;
}

const double = (x) => add(x, x);

export class Widget extends Base {
  size = 1;

  constructor(name) {
    super();
    this.name = name;
  }

  // Renders it.
  render() {
    return new Renderer(this).draw();
  }
}

exports.helper = function () {
  return import("./lazy");
};
