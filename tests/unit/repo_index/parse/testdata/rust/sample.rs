//! Rust sample for the golden test.
use std::collections::HashMap;
use std::io::{self, Read as _, Write};
use crate::store::Store;

mod util;

pub mod shapes {
    /// A point.
    #[derive(Debug, Clone)]
    pub struct Point {
        pub x: i32,
        pub y: i32,
    }

    pub enum Shape {
        Circle(f64),
        Square { side: f64 },
    }

    impl Point {
        /// Makes the origin.
        pub fn origin() -> Point {
            Point { x: 0, y: 0 }
        }
    }
}

pub trait Area {
    fn area(&self) -> f64;
    fn describe(&self) -> String {
        format!("{}", self.area())
    }
}

impl Area for shapes::Point {
    fn area(&self) -> f64 {
        0.0
    }
}

pub type Map = HashMap<String, Store>;

const LIMIT: usize = 4;
static mut COUNTER: u32 = 0;

union Bits {
    i: u32,
    f: f32,
}

macro_rules! square {
    ($x:expr) => {
        $x * $x
    };
}

fn main() {
    let p = shapes::Point::origin();
    println!("{}", p.area());
    let _ = square!(2);
}
