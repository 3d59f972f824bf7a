//! Times one measure chart: 60 monthly values, a trajectory of 3 points and 60 comparator
//! figures, drawn 10,000 times. Used by bench/dashboard.sh (target: under 1 ms a chart).

use sendplan_domain::measures::{Point, Polarity, Trajectory, Unit};
use sendplan_domain::periods::Frequency;
use sendplan_web::charts::{measure_chart, Chart, Figures, Plotted, Series};
use std::time::Instant;
use time::{Date, Month};

fn month_end(i: i32) -> Date {
    let (year, month) = (2021 + i / 12, (i % 12 + 1) as u8);
    let first =
        Date::from_calendar_date(year, Month::try_from(month).expect("month"), 1).expect("date");
    first.replace_day(first.month().length(year)).expect("date")
}

fn main() {
    // Each value at the middle of its month, as pages draw them.
    let month = |i: i32, value: f64| {
        let period = Frequency::Monthly
            .period_containing(month_end(i))
            .expect("a month");
        Plotted {
            period: period.label.clone(),
            date: period.middle(),
            value,
        }
    };
    let values: Vec<Plotted> = (0..60)
        .map(|i| month(i, 40.0 + f64::from(i % 17)))
        .collect();
    let england: Vec<Plotted> = (0..60).map(|i| month(i, 50.0)).collect();
    let trajectory = Trajectory::new(
        Some(Point {
            date: month_end(0),
            value: 40.0,
        }),
        vec![
            Point {
                date: month_end(29),
                value: 50.0,
            },
            Point {
                date: month_end(59),
                value: 65.0,
            },
        ],
        Polarity::HigherIsBetter,
        2.0,
    )
    .expect("trajectory");
    let series = [Series {
        name: "England",
        points: &england,
    }];
    let mut times = Vec::with_capacity(10_000);
    let mut bytes = 0;
    for _ in 0..10_000 {
        let start = Instant::now();
        let svg = measure_chart(&Chart {
            id: "measure-1",
            title: "Benchmark measure",
            unit: Unit::Percentage,
            frequency: Frequency::Monthly,
            trajectory: &trajectory,
            values: &values,
            comparators: &series,
            figures: Figures::Details,
        });
        times.push(start.elapsed());
        bytes = svg.len();
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 - 1.0) * q) as usize].as_secs_f64() * 1e6;
    println!("| chart | median | p99 | slowest | target |");
    println!("|---|---|---|---|---|");
    println!(
        "| {bytes} bytes of HTML and SVG | {:.0} µs | {:.0} µs | {:.0} µs | under 1,000 µs |",
        at(0.5),
        at(0.99),
        at(1.0)
    );
}
