/* tool_calc.c: calculate, over the spoken-arithmetic parser in brain/calc. */
#include <stdio.h>

#include "brain/calc.h"
#include "brain/tools_internal.h"

static int run(tools *t, const json_t *args, tool_result *out)
{
    const char *expr = json_string_value(json_object_get(args, "expression"));
    double v;
    char err[96], res[64];
    if (calc_eval(expr, &v, err, sizeof err))
        return tool_fail(t, out, "calc.error", json_pack("{s:s}", "reason", err), err);
    calc_format(v, res, sizeof res);
    out->result = json_pack("{s:s, s:f, s:s}", "expression", expr, "value", v, "text", res);
    tool_say(t, out, "calc.result", json_pack("{s:s, s:s}", "expression", expr, "result", res));
    return WZ_OK;
}

const tool_def tool_calculate = {
    .name = "calculate",
    .description = "Evaluate arithmetic, written or spoken: '7*8', 'seven times eight', 'square root of 81', "
                   "'15 percent of 80', 'two to the power of ten'.",
    .schema = "{\"type\":\"object\",\"properties\":{\"expression\":{\"type\":\"string\",\"minLength\":1,"
              "\"maxLength\":300}},\"required\":[\"expression\"],\"additionalProperties\":false}",
    .risk = TOOL_RISK_SAFE,
    .run = run,
};
