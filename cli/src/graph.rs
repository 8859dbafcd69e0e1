//! `proxyc graph`: the flow pipeline of a proxy, from the compiler's
//! validated model, as a small graph rendered to Mermaid or DOT.

use crate::args::GraphFormat;
use proxyc_compiler::ir;
use std::fmt::Write as _;

/// How a node is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    /// A flow with its Steps.
    Box,
    /// A choice between flows or routes.
    Decision,
    /// The client, or "no backend".
    Terminal,
    /// A backend URL.
    Backend,
}

#[derive(Debug)]
struct Node {
    id: String,
    lines: Vec<String>,
    shape: Shape,
}

#[derive(Debug)]
struct Edge {
    from: String,
    to: String,
    label: Option<String>,
    /// Fault paths.
    dashed: bool,
}

#[derive(Debug)]
struct Cluster {
    id: String,
    label: String,
    nodes: Vec<Node>,
}

/// A proxy's pipeline: free nodes, one cluster per endpoint, edges.
#[derive(Debug, Default)]
struct Graph {
    nodes: Vec<Node>,
    clusters: Vec<Cluster>,
    edges: Vec<Edge>,
}

impl Graph {
    fn edge(&mut self, from: &str, to: &str, label: Option<String>) {
        self.edges.push(Edge {
            from: from.to_owned(),
            to: to.to_owned(),
            label,
            dashed: false,
        });
    }
}

/// Renders the pipeline of `proxy`.
pub fn render(proxy: &ir::Proxy, format: GraphFormat) -> String {
    let graph = build(proxy);
    match format {
        GraphFormat::Mermaid => mermaid(&graph),
        GraphFormat::Dot => dot(&graph, &proxy.name),
    }
}

fn build(proxy: &ir::Proxy) -> Graph {
    let mut g = Graph::default();
    g.nodes.push(Node {
        id: "client".into(),
        lines: vec!["client".into()],
        shape: Shape::Terminal,
    });
    for (k, t) in proxy.targets.iter().enumerate() {
        let id = format!("t{k}");
        let mut nodes = Vec::new();
        let last = flows(&mut g, &mut nodes, proxy, &id, &t.flows);
        let backend = format!("{id}_backend");
        g.nodes.push(Node {
            id: backend.clone(),
            lines: vec![match &t.connection {
                ir::TargetConnection::Http { url, .. } => url.tpl.to_string(),
                ir::TargetConnection::Local(ir::LocalTarget::Proxy { proxy, endpoint }) => {
                    format!("local proxy {proxy} {}", endpoint.as_deref().unwrap_or(""))
                        .trim_end()
                        .to_owned()
                }
                ir::TargetConnection::Local(ir::LocalTarget::Path(p)) => format!("local path {p}"),
            }],
            shape: Shape::Backend,
        });
        g.edge(&last, &backend, None);
        faults(&mut g, &mut nodes, proxy, &id, &t.faults);
        g.clusters.push(Cluster {
            id,
            label: format!("TargetEndpoint {}", t.name),
            nodes,
        });
    }
    for (i, pe) in proxy.endpoints.iter().enumerate() {
        let id = format!("p{i}");
        let mut nodes = Vec::new();
        g.edge("client", &format!("{id}_pre"), Some(pe.base_path.clone()));
        let last = flows(&mut g, &mut nodes, proxy, &id, &pe.flows);
        let routes = format!("{id}_routes");
        nodes.push(Node {
            id: routes.clone(),
            lines: vec!["RouteRules".into()],
            shape: Shape::Decision,
        });
        g.edge(&last, &routes, None);
        for (r, rule) in pe.routes.iter().enumerate() {
            let label = match &rule.condition {
                Some(c) => format!("{}: {}", rule.name, c.text),
                None => rule.name.clone(),
            };
            let to = match &rule.target {
                ir::RouteTarget::Endpoint(k) => format!("t{k}_pre"),
                ir::RouteTarget::Url(url) => {
                    let to = format!("{id}_url{r}");
                    g.nodes.push(Node {
                        id: to.clone(),
                        lines: vec![url.tpl.to_string()],
                        shape: Shape::Backend,
                    });
                    to
                }
                ir::RouteTarget::Integration(ie) => {
                    let to = format!("{id}_integration{r}");
                    g.nodes.push(Node {
                        id: to.clone(),
                        lines: vec![format!("IntegrationEndpoint {}", ie.name)],
                        shape: Shape::Backend,
                    });
                    to
                }
                ir::RouteTarget::Null => {
                    let to = format!("{id}_null{r}");
                    nodes.push(Node {
                        id: to.clone(),
                        lines: vec!["no backend: the proxy responds".into()],
                        shape: Shape::Terminal,
                    });
                    to
                }
            };
            g.edge(&routes, &to, Some(label));
        }
        if !pe.post_client.is_empty() {
            let mut lines = vec!["PostClientFlow".to_owned()];
            lines.extend(pe.post_client.iter().map(|s| step(proxy, s, "resp")));
            nodes.push(Node {
                id: format!("{id}_postclient"),
                lines,
                shape: Shape::Box,
            });
            g.edge(&format!("{id}_post"), &format!("{id}_postclient"), None);
        }
        faults(&mut g, &mut nodes, proxy, &id, &pe.faults);
        g.clusters.push(Cluster {
            id,
            label: format!("ProxyEndpoint {} · {}", pe.name, pe.base_path),
            nodes,
        });
    }
    // Endpoints first, as a reader follows the request.
    g.clusters.rotate_left(proxy.targets.len());
    g
}

/// Adds PreFlow, conditional flows and PostFlow nodes; returns the id of
/// the PostFlow node (the last one of the request path).
fn flows(
    g: &mut Graph,
    nodes: &mut Vec<Node>,
    proxy: &ir::Proxy,
    id: &str,
    flows: &ir::Flows,
) -> String {
    let pre = format!("{id}_pre");
    let post = format!("{id}_post");
    nodes.push(flow_node(proxy, &pre, "PreFlow", &flows.pre));
    if flows.conditional.is_empty() {
        g.edge(&pre, &post, None);
    } else {
        let choice = format!("{id}_flows");
        nodes.push(Node {
            id: choice.clone(),
            lines: vec!["first matching Flow".into()],
            shape: Shape::Decision,
        });
        g.edge(&pre, &choice, None);
        for (j, f) in flows.conditional.iter().enumerate() {
            let fid = format!("{id}_f{j}");
            nodes.push(flow_node(
                proxy,
                &fid,
                &format!("Flow {}", f.name),
                &f.steps,
            ));
            let label = f
                .condition
                .as_ref()
                .map_or_else(|| "always".to_owned(), |c| c.text.clone());
            g.edge(&choice, &fid, Some(label));
            g.edge(&fid, &post, None);
        }
        g.edge(&choice, &post, Some("no match".into()));
    }
    nodes.push(flow_node(proxy, &post, "PostFlow", &flows.post));
    post
}

fn flow_node(proxy: &ir::Proxy, id: &str, title: &str, steps: &ir::FlowSteps) -> Node {
    let mut lines = vec![title.to_owned()];
    lines.extend(steps.request.iter().map(|s| step(proxy, s, "req")));
    lines.extend(steps.response.iter().map(|s| step(proxy, s, "resp")));
    Node {
        id: id.to_owned(),
        lines,
        shape: Shape::Box,
    }
}

/// One line per Step: `req: AM-Greeting (AssignMessage) if <condition>`.
fn step(proxy: &ir::Proxy, s: &ir::Step, half: &str) -> String {
    let (name, kind) = proxy
        .policies
        .get(s.policy)
        .map_or(("?", "?"), |p| (p.name.as_str(), p.kind));
    match &s.condition {
        Some(c) => format!("{half}: {name} ({kind}) if {}", c.text),
        None => format!("{half}: {name} ({kind})"),
    }
}

fn faults(
    g: &mut Graph,
    nodes: &mut Vec<Node>,
    proxy: &ir::Proxy,
    id: &str,
    faults: &ir::FaultHandling,
) {
    let rules = faults
        .rules
        .iter()
        .map(|r| (r, false))
        .chain(faults.default.iter().map(|d| (&d.rule, true)));
    for (n, (rule, is_default)) in rules.enumerate() {
        let fid = format!("{id}_fault{n}");
        let title = if is_default {
            format!("DefaultFaultRule {}", rule.name)
        } else {
            format!("FaultRule {}", rule.name)
        };
        let mut lines = vec![title.trim_end().to_owned()];
        lines.extend(rule.steps.iter().map(|s| step(proxy, s, "fault")));
        nodes.push(Node {
            id: fid.clone(),
            lines,
            shape: Shape::Box,
        });
        let label = match &rule.condition {
            Some(c) => format!("on fault if {}", c.text),
            None => "on fault".to_owned(),
        };
        g.edges.push(Edge {
            from: format!("{id}_pre"),
            to: fid,
            label: Some(label),
            dashed: true,
        });
    }
}

/// Mermaid text: quotes and angle brackets as entity codes.
fn mermaid_text(s: &str) -> String {
    s.replace('&', "#38;")
        .replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
}

fn mermaid_node(out: &mut String, indent: &str, n: &Node) {
    let text = n
        .lines
        .iter()
        .map(|l| mermaid_text(l))
        .collect::<Vec<_>>()
        .join("<br/>");
    let (open, close) = match n.shape {
        Shape::Box => ("[", "]"),
        Shape::Decision => ("{", "}"),
        Shape::Terminal => ("([", "])"),
        Shape::Backend => ("[(", ")]"),
    };
    let _ = writeln!(out, "{indent}{}{open}\"{text}\"{close}", n.id);
}

fn mermaid(g: &Graph) -> String {
    let mut out = String::from("flowchart TD\n");
    for n in &g.nodes {
        mermaid_node(&mut out, "    ", n);
    }
    for c in &g.clusters {
        let _ = writeln!(out, "    subgraph {}[\"{}\"]", c.id, mermaid_text(&c.label));
        for n in &c.nodes {
            mermaid_node(&mut out, "        ", n);
        }
        out.push_str("    end\n");
    }
    for e in &g.edges {
        let arrow = if e.dashed { "-.->" } else { "-->" };
        match &e.label {
            Some(l) => {
                let _ = writeln!(
                    out,
                    "    {} {arrow}|\"{}\"| {}",
                    e.from,
                    mermaid_text(l),
                    e.to
                );
            }
            None => {
                let _ = writeln!(out, "    {} {arrow} {}", e.from, e.to);
            }
        }
    }
    out
}

/// A DOT string literal.
fn dot_str(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn dot_node(out: &mut String, indent: &str, n: &Node) {
    let shape = match n.shape {
        Shape::Box => "box",
        Shape::Decision => "diamond",
        Shape::Terminal => "oval",
        Shape::Backend => "cylinder",
    };
    let label = n
        .lines
        .iter()
        .map(|l| l.replace('\\', "\\\\").replace('"', "\\\""))
        .collect::<Vec<_>>()
        .join("\\l");
    let label = if n.lines.len() > 1 {
        format!("\"{label}\\l\"")
    } else {
        format!("\"{label}\"")
    };
    let _ = writeln!(out, "{indent}{} [label={label}, shape={shape}];", n.id);
}

fn dot(g: &Graph, name: &str) -> String {
    let mut out = format!("digraph {} {{\n", dot_str(name));
    out.push_str("    rankdir=TB;\n    node [fontname=\"Helvetica\", fontsize=10];\n    edge [fontname=\"Helvetica\", fontsize=9];\n");
    for n in &g.nodes {
        dot_node(&mut out, "    ", n);
    }
    for c in &g.clusters {
        let _ = writeln!(out, "    subgraph cluster_{} {{", c.id);
        let _ = writeln!(out, "        label={};", dot_str(&c.label));
        for n in &c.nodes {
            dot_node(&mut out, "        ", n);
        }
        out.push_str("    }\n");
    }
    for e in &g.edges {
        let mut attrs = Vec::new();
        if let Some(l) = &e.label {
            attrs.push(format!("label={}", dot_str(l)));
        }
        if e.dashed {
            attrs.push("style=dashed".to_owned());
        }
        let attrs = if attrs.is_empty() {
            String::new()
        } else {
            format!(" [{}]", attrs.join(", "))
        };
        let _ = writeln!(out, "    {} -> {}{attrs};", e.from, e.to);
    }
    out.push_str("}\n");
    out
}
