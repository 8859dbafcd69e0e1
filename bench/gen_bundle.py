#!/usr/bin/env python3
"""Writes a proxyc bundle with N policies (default 1000) for the compiler-speed
benchmark: N/10 conditional flows of 10 steps each, mixing AssignMessage
(headers, variables), ExtractVariables (JSONPath on the response) and
conditional RaiseFault steps.

usage: gen_bundle.py DIR [N]   (the bundle is DIR/apiproxy, proxy `generated`)
"""
import os
import sys


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def policy(i):
    kind = i % 5
    if kind == 0:
        return f"AM-Header-{i}", f"""<AssignMessage name="AM-Header-{i}">
    <Set>
        <Headers>
            <Header name="X-Gen-{i}">{{request.verb}}-{i}-{{proxy.pathsuffix}}</Header>
        </Headers>
    </Set>
    <IgnoreUnresolvedVariables>true</IgnoreUnresolvedVariables>
</AssignMessage>
"""
    if kind == 1:
        return f"AM-Var-{i}", f"""<AssignMessage name="AM-Var-{i}">
    <AssignVariable>
        <Name>gen.v{i}</Name>
        <Template>{{toUpperCase(request.queryparam.q{i}:none)}}</Template>
    </AssignVariable>
    <IgnoreUnresolvedVariables>true</IgnoreUnresolvedVariables>
</AssignMessage>
"""
    if kind == 2:
        return f"RF-Deny-{i}", f"""<RaiseFault name="RF-Deny-{i}">
    <FaultResponse>
        <Set>
            <StatusCode>403</StatusCode>
            <Payload contentType="application/json">{{"denied":{i},"path":"{{proxy.pathsuffix}}"}}</Payload>
        </Set>
    </FaultResponse>
    <IgnoreUnresolvedVariables>true</IgnoreUnresolvedVariables>
</RaiseFault>
"""
    if kind == 3:
        return f"EV-Json-{i}", f"""<ExtractVariables name="EV-Json-{i}">
    <Source>response</Source>
    <VariablePrefix>ev{i}</VariablePrefix>
    <JSONPayload>
        <Variable name="path"><JSONPath>$.path</JSONPath></Variable>
        <Variable name="h"><JSONPath>$.headers.x-gen-{i - 3}</JSONPath></Variable>
    </JSONPayload>
</ExtractVariables>
"""
    return f"AM-Resp-{i}", f"""<AssignMessage name="AM-Resp-{i}">
    <Set>
        <Headers>
            <Header name="X-Resp-{i}">{{ev{i - 1}.path}} {{gen.v{i - 3}}}</Header>
        </Headers>
    </Set>
    <IgnoreUnresolvedVariables>true</IgnoreUnresolvedVariables>
</AssignMessage>
"""


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    root = os.path.join(sys.argv[1], "apiproxy")
    n = int(sys.argv[2]) if len(sys.argv) == 3 else 1000
    write(os.path.join(root, "generated.xml"),
          f'<APIProxy revision="1" name="generated">\n'
          f'    <Description>{n} generated policies</Description>\n</APIProxy>\n')
    flows = []
    for f in range(0, n, 10):
        req, resp = [], []
        for i in range(f, min(f + 10, n)):
            name, text = policy(i)
            write(os.path.join(root, "policies", name + ".xml"), text)
            step = f"                <Step><Name>{name}</Name>"
            if name.startswith("RF-"):
                step += f'<Condition>request.header.x-deny = "{i}"</Condition>'
            step += "</Step>"
            (resp if name.startswith(("EV-", "AM-Resp-")) else req).append(step)
        flows.append(f"""        <Flow name="f{f}">
            <Condition>(proxy.pathsuffix MatchesPath "/f{f}/**") and (request.verb = "GET")</Condition>
            <Request>
{chr(10).join(req)}
            </Request>
            <Response>
{chr(10).join(resp)}
            </Response>
        </Flow>""")
    write(os.path.join(root, "proxies", "default.xml"), f"""<ProxyEndpoint name="default">
    <Flows>
{chr(10).join(flows)}
    </Flows>
    <HTTPProxyConnection>
        <BasePath>/generated</BasePath>
    </HTTPProxyConnection>
    <RouteRule name="backend">
        <TargetEndpoint>backend</TargetEndpoint>
    </RouteRule>
</ProxyEndpoint>
""")
    write(os.path.join(root, "targets", "backend.xml"), """<TargetEndpoint name="backend">
    <HTTPTargetConnection>
        <URL>http://backend.bench</URL>
    </HTTPTargetConnection>
</TargetEndpoint>
""")


if __name__ == "__main__":
    main()
