{#- The winsor cap of a sorted list: its q-quantile by linear interpolation between order
    statistics (numpy's default; h = (n − 1)·q, x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋+1] − x[⌊h⌋])).
    Build the list with a GROUP BY, once per section: a list per row over a window is
    quadratic and does not finish at national scale. -#}
{% macro winsor_cap(sorted_list, n, q) -%}
    case when {{ n }} = 0 then null else
        {{ sorted_list }}[cast(floor(({{ n }} - 1) * {{ q }}) as bigint) + 1]
        + (({{ n }} - 1) * {{ q }} - floor(({{ n }} - 1) * {{ q }}))
          * ({{ sorted_list }}[least(cast(floor(({{ n }} - 1) * {{ q }}) as bigint) + 2, {{ n }})]
             - {{ sorted_list }}[cast(floor(({{ n }} - 1) * {{ q }}) as bigint) + 1])
    end
{%- endmacro %}
