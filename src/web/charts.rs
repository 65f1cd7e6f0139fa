//! Charts: SVG drawn by plotters' SVG backend, each in a `<figure>` with its title and
//! the data table behind it (what a screen reader reads, and what the numbers link from).
use super::format;
use super::layout::trusted;
use maud::{Markup, html};
use plotters::coord::ranged1d::SegmentValue;
use plotters::prelude::*;

/// The colours of series, in order (contrast ≥ 3:1 on white).
const PALETTE: [RGBColor; 6] = [
    RGBColor(79, 70, 229),
    RGBColor(13, 148, 136),
    RGBColor(217, 119, 6),
    RGBColor(219, 39, 119),
    RGBColor(2, 132, 199),
    RGBColor(101, 163, 13),
];
const GRID: RGBColor = RGBColor(226, 232, 240);
const AXIS: RGBColor = RGBColor(148, 163, 184);
const TEXT: RGBColor = RGBColor(71, 85, 105);
const FONT: &str = "sans-serif";

/// How the values are drawn.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A line per series over the buckets (trends, series).
    Lines,
    /// A bar per bucket, one series.
    Bars,
    /// Bars of the series stacked on each other.
    Stacked,
    /// Horizontal bars, one series: a ranking or a breakdown.
    Ranking,
}

/// One series: its name and a value per bucket.
pub struct Line {
    pub name: String,
    pub values: Vec<i64>,
}

/// A link of one table cell: (series index, bucket index) → address.
pub type CellLink<'a> = &'a dyn Fn(usize, usize) -> Option<String>;

/// A chart and its table.
pub struct Chart<'a> {
    /// The figure's id (unique on the page).
    pub id: &'a str,
    pub title: &'a str,
    /// The heading of the buckets' column in the table ("Month", "Day", "Region").
    pub x_name: &'a str,
    /// The unit of the values, shown on the axis ("users", "downloads").
    pub unit: &'a str,
    /// A label per bucket: the axis shows `short`, the table `full`.
    pub short: Vec<String>,
    pub full: Vec<String>,
    pub series: Vec<Line>,
    pub kind: Kind,
    pub link: Option<CellLink<'a>>,
    /// Drawn for a full-width panel (wider, so its text keeps its size).
    pub wide: bool,
}

impl Chart<'_> {
    /// The figure: title, SVG, legend and data table.
    pub fn render(&self) -> Markup {
        let svg = match self.draw() {
            Ok(svg) => svg,
            Err(err) => {
                tracing::error!(error = %err, chart = self.id, "chart not drawn");
                String::new()
            }
        };
        let caption_id = format!("{}-title", self.id);
        let svg = svg.replacen(
            "<svg ",
            &format!("<svg role=\"img\" aria-labelledby=\"{caption_id}\" "),
            1,
        );
        let legend = self.series.len() > 1;
        html! {
            figure.chart id=(self.id) {
                figcaption id=(caption_id) { (self.title) }
                @if legend {
                    ul.legend {
                        @for (i, s) in self.series.iter().enumerate() {
                            li { span class=(format!("swatch s{}", i % PALETTE.len())) {} (s.name) }
                        }
                    }
                }
                div.chart-scroll { (trusted(svg)) }
                details.data-table {
                    summary { "Data table" }
                    (self.table())
                }
            }
        }
    }

    fn table(&self) -> Markup {
        html! {
            div.table-scroll {
                table {
                    caption.visually-hidden { (self.title) }
                    thead { tr {
                        th scope="col" { (self.x_name) }
                        @for s in &self.series { th.num scope="col" { (s.name) } }
                    } }
                    tbody {
                        @for (b, label) in self.full.iter().enumerate() {
                            tr {
                                th scope="row" { (label) }
                                @for (si, s) in self.series.iter().enumerate() {
                                    @let value = s.values.get(b).copied().unwrap_or(0);
                                    td.num {
                                        @match self.link.and_then(|l| l(si, b)) {
                                            Some(href) => a href=(href) { (format::int(value)) },
                                            None => (format::int(value)),
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    fn max(&self) -> i64 {
        match self.kind {
            Kind::Stacked => (0..self.short.len())
                .map(|b| {
                    self.series
                        .iter()
                        .map(|s| s.values.get(b).copied().unwrap_or(0))
                        .sum::<i64>()
                })
                .max()
                .unwrap_or(0),
            _ => self
                .series
                .iter()
                .flat_map(|s| s.values.iter().copied())
                .max()
                .unwrap_or(0),
        }
    }

    fn draw(&self) -> Result<String, Box<dyn std::error::Error>> {
        let n = self.short.len().max(1);
        let top = nice_ceiling(self.max());
        let mut svg = String::new();
        let width = if self.wide { 1180 } else { 640 };
        let (width, height) = match self.kind {
            Kind::Ranking => (width, (n as u32 * 30 + 60).max(140)),
            _ => (width, if self.wide { 360 } else { 300 }),
        };
        {
            let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
            root.fill(&WHITE)?;
            let label_font = (FONT, 19).into_font().color(&TEXT);
            let labels = &self.short;
            let segment_label = |v: &SegmentValue<i32>| match v {
                SegmentValue::CenterOf(i) | SegmentValue::Exact(i) => {
                    labels.get(*i as usize).cloned().unwrap_or_default()
                }
                SegmentValue::Last => String::new(),
            };
            let value_label = |v: &f64| format::int(v.round() as i64);
            if self.kind == Kind::Ranking {
                let longest = labels.iter().map(|l| l.chars().count()).max().unwrap_or(4);
                let mut chart = ChartBuilder::on(&root)
                    .margin(12)
                    .margin_right(28)
                    .x_label_area_size(40)
                    .y_label_area_size((longest.min(26) as u32) * 9 + 20)
                    .build_cartesian_2d(0f64..top, (0..n as i32 - 1).into_segmented())?;
                chart
                    .configure_mesh()
                    .disable_y_mesh()
                    .light_line_style(WHITE)
                    .bold_line_style(GRID.stroke_width(1))
                    .axis_style(AXIS)
                    .y_labels(n)
                    .y_label_formatter(&|v| truncate(&segment_label(v), 26))
                    .x_labels(6)
                    .x_label_formatter(&value_label)
                    .x_desc(self.unit)
                    .label_style(label_font.clone())
                    .axis_desc_style(label_font.clone())
                    .draw()?;
                let values = self
                    .series
                    .first()
                    .map(|s| s.values.clone())
                    .unwrap_or_default();
                chart.draw_series(
                    Histogram::horizontal(&chart)
                        .style(PALETTE[0].filled())
                        .margin(6)
                        .data(
                            values
                                .iter()
                                .enumerate()
                                .map(|(i, v)| (i as i32, *v as f64)),
                        ),
                )?;
            } else {
                let mut chart = ChartBuilder::on(&root)
                    .margin(12)
                    .margin_right(20)
                    .x_label_area_size(40)
                    .y_label_area_size(84)
                    .build_cartesian_2d((0..n as i32 - 1).into_segmented(), 0f64..top)?;
                chart
                    .configure_mesh()
                    .disable_x_mesh()
                    .light_line_style(WHITE)
                    .bold_line_style(GRID.stroke_width(1))
                    .axis_style(AXIS)
                    .x_labels(n.min(12))
                    .x_label_formatter(&segment_label)
                    .y_labels(5)
                    .y_label_formatter(&value_label)
                    .y_desc(self.unit)
                    .label_style(label_font.clone())
                    .axis_desc_style(label_font.clone())
                    .draw()?;
                match self.kind {
                    Kind::Lines => {
                        for (i, s) in self.series.iter().enumerate() {
                            let colour = PALETTE[i % PALETTE.len()];
                            let points: Vec<(SegmentValue<i32>, f64)> = s
                                .values
                                .iter()
                                .enumerate()
                                .map(|(b, v)| (SegmentValue::CenterOf(b as i32), *v as f64))
                                .collect();
                            if self.series.len() == 1 {
                                chart.draw_series(
                                    AreaSeries::new(points.clone(), 0.0, colour.mix(0.10))
                                        .border_style(colour.stroke_width(0)),
                                )?;
                            }
                            chart.draw_series(LineSeries::new(
                                points.clone(),
                                colour.stroke_width(3),
                            ))?;
                            if n <= 40 {
                                chart.draw_series(
                                    points
                                        .into_iter()
                                        .map(|p| Circle::new(p, 4, colour.filled())),
                                )?;
                            }
                        }
                    }
                    Kind::Bars | Kind::Stacked => {
                        let mut base = vec![0f64; n];
                        for (i, s) in self.series.iter().enumerate() {
                            let colour = PALETTE[i % PALETTE.len()];
                            let below = base.clone();
                            chart.draw_series(
                                Histogram::vertical(&chart)
                                    .style(colour.filled())
                                    .margin(if n > 20 { 2 } else { 10 })
                                    .baseline_func(move |v: &SegmentValue<i32>| match v {
                                        SegmentValue::Exact(b) | SegmentValue::CenterOf(b) => {
                                            below.get(*b as usize).copied().unwrap_or(0.0)
                                        }
                                        SegmentValue::Last => 0.0,
                                    })
                                    .data(
                                        s.values
                                            .iter()
                                            .enumerate()
                                            .map(|(b, v)| (b as i32, base[b] + *v as f64)),
                                    ),
                            )?;
                            for (b, v) in s.values.iter().enumerate() {
                                if let Some(slot) = base.get_mut(b) {
                                    *slot += *v as f64;
                                }
                            }
                            if self.kind == Kind::Bars {
                                break;
                            }
                        }
                    }
                    Kind::Ranking => {}
                }
            }
            root.present()?;
        }
        // Scale with its box; the intrinsic size stays the aspect ratio.
        Ok(svg.replacen(
            &format!("width=\"{width}\" height=\"{height}\" "),
            "class=\"plot\" ",
            1,
        ))
    }
}

/// The top of the value axis: the maximum rounded up to 1, 2, 2.5 or 5 × 10ⁿ, at
/// least 5 (so an all-zero chart still has an axis).
fn nice_ceiling(max: i64) -> f64 {
    let max = (max.max(0) as f64 * 1.05).max(5.0);
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * magnitude)
        .find(|c| *c >= max)
        .unwrap_or(max)
}

/// At most `n` characters, with an ellipsis when cut.
pub fn truncate(text: &str, n: usize) -> String {
    if text.chars().count() <= n {
        text.to_owned()
    } else {
        let mut cut: String = text.chars().take(n.saturating_sub(1)).collect();
        cut.push('…');
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_are_round() {
        assert_eq!(nice_ceiling(0), 5.0);
        assert_eq!(nice_ceiling(44), 50.0);
        assert_eq!(nice_ceiling(96), 200.0);
        assert_eq!(nice_ceiling(6984), 10000.0);
        assert_eq!(nice_ceiling(2200), 2500.0);
    }

    #[test]
    fn a_chart_is_an_svg_with_its_table() {
        let chart = Chart {
            id: "t",
            title: "Downloads",
            x_name: "Month",
            unit: "downloads",
            short: vec!["Sep".into(), "Oct".into()],
            full: vec!["2026-09".into(), "2026-10".into()],
            series: vec![Line {
                name: "Downloads".into(),
                values: vec![6151, 6746],
            }],
            kind: Kind::Lines,
            link: None,
            wide: false,
        };
        let html = chart.render().into_string();
        assert!(
            html.contains("<svg role=\"img\" aria-labelledby=\"t-title\""),
            "{html}"
        );
        assert!(html.contains("6,746"));
        assert!(html.contains("<figcaption id=\"t-title\">Downloads</figcaption>"));
    }
}
