//! `load-chart results.json throughput.svg`: a horizontal bar chart of the load harness's
//! median throughput per target, protocol and connection count (`bench/load/run.mjs` writes
//! the JSON and calls this binary).

use std::process::ExitCode;

use plotters::prelude::*;
use serde_json::Value;

/// One bar: its label, its value (requests per second) and its colour.
struct Bar {
    label: String,
    rps: f64,
    color: RGBColor,
}

const PROTECTED: RGBColor = RGBColor(0x1f, 0x6f, 0xb2);
const UNPROTECTED: RGBColor = RGBColor(0x8a, 0x8a, 0x8a);
const PEER: RGBColor = RGBColor(0xd9, 0x6c, 0x1e);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, output] = args.as_slice() else {
        eprintln!("usage: load-chart <results.json> <chart.svg>");
        return ExitCode::from(2);
    };
    match run(input, output) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("load-chart: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run(input: &str, output: &str) -> Result<(), String> {
    let text = std::fs::read_to_string(input).map_err(|e| format!("cannot read {input}: {e}"))?;
    let results: Value = serde_json::from_str(&text).map_err(|e| format!("{input}: {e}"))?;
    let mut bars = bars(&results)?;
    // The chart's rows count from the bottom: reverse so the first cell is on top.
    bars.reverse();
    if bars.is_empty() {
        return Err(format!("{input} has no cells"));
    }
    draw(&bars, output).map_err(|e| format!("cannot draw {output}: {e}"))
}

/// The bars, in the harness's order of cells.
fn bars(results: &Value) -> Result<Vec<Bar>, String> {
    let cells = results["cells"]
        .as_array()
        .ok_or("results.json: `cells` is not an array")?;
    cells
        .iter()
        .map(|cell| {
            let text = |key: &str| cell[key].as_str().unwrap_or("?").to_owned();
            let rps = cell["rps"]
                .as_f64()
                .ok_or_else(|| format!("a cell of {} has no number `rps`", text("target")))?;
            let connections = cell["connections"].as_u64().unwrap_or(0);
            let color = match (text("kind").as_str(), text("mode").as_str()) {
                ("peer", _) => PEER,
                (_, "none") => UNPROTECTED,
                _ => PROTECTED,
            };
            Ok(Bar {
                label: format!("{} · {} · c{connections}", text("target"), text("protocol")),
                rps,
                color,
            })
        })
        .collect()
}

fn draw(bars: &[Bar], output: &str) -> Result<(), Box<dyn std::error::Error>> {
    const ROW: u32 = 22;
    let height = 90 + ROW * u32::try_from(bars.len())?;
    let root = SVGBackend::new(output, (1100, height)).into_drawing_area();
    root.fill(&WHITE)?;
    let max = bars.iter().map(|b| b.rps).fold(0.0_f64, f64::max) * 1.1;
    let count = i32::try_from(bars.len())?;
    let mut chart = ChartBuilder::on(&root)
        .caption(
            "tools/call whoami, median requests per second (grey: unprotected, blue: mcp-auth, orange: peers)",
            ("sans-serif", 16),
        )
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(430)
        .build_cartesian_2d(0.0..max.max(1.0), (0..count).into_segmented())?;
    chart
        .configure_mesh()
        .disable_y_mesh()
        .max_light_lines(0)
        .y_labels(bars.len())
        .y_label_formatter(&|segment| match segment {
            SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => usize::try_from(*i)
                .ok()
                .and_then(|i| bars.get(i))
                .map(|bar| bar.label.clone())
                .unwrap_or_default(),
            SegmentValue::Last => String::new(),
        })
        .x_desc("requests per second")
        .x_label_formatter(&|v| format!("{v:.0}"))
        .label_style(("sans-serif", 12))
        .draw()?;
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let i = i32::try_from(i).unwrap_or(i32::MAX);
        let mut rect = Rectangle::new(
            [
                (0.0, SegmentValue::Exact(i)),
                (bar.rps, SegmentValue::Exact(i + 1)),
            ],
            bar.color.filled(),
        );
        rect.set_margin(3, 3, 0, 0);
        rect
    }))?;
    chart.draw_series(bars.iter().enumerate().map(|(i, bar)| {
        let i = i32::try_from(i).unwrap_or(i32::MAX);
        Text::new(
            format!("{:.0}", bar.rps),
            (bar.rps, SegmentValue::CenterOf(i)),
            ("sans-serif", 11).into_font(),
        )
    }))?;
    root.present()?;
    Ok(())
}
