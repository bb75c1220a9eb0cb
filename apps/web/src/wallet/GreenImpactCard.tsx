import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';
import { useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { GreenImpact } from './operations';

echarts.use([BarChart, GridComponent, TooltipComponent, SVGRenderer]);

/** The member's green consumption as CO2e avoided per category (a bar chart, and the total in words). */
export function GreenImpactCard() {
  const { t } = useTranslation();
  const [report] = useQuery({ query: GreenImpact });
  const chart = useRef<HTMLDivElement>(null);
  const impact = report.data?.me?.greenImpact;

  useEffect(() => {
    if (!chart.current || !impact) return;
    const instance = echarts.init(chart.current, undefined, { renderer: 'svg' });
    instance.setOption({
      aria: { enabled: true },
      tooltip: {},
      xAxis: { type: 'category', data: impact.byCategory.map((c) => c.category) },
      yAxis: { type: 'value', name: 'g CO₂e' },
      series: [
        { type: 'bar', data: impact.byCategory.map((c) => c.co2eGrams), itemStyle: { color: '#0b6e3d' } },
      ],
    });
    return () => instance.dispose();
  }, [impact]);

  return (
    <section className="card" aria-labelledby="green">
      <h2 id="green">{t('green')}</h2>
      <ErrorNotice error={report.error} />
      {impact && <p data-testid="co2e">{t('co2e', { grams: impact.co2eGrams })}</p>}
      <div ref={chart} className="chart" role="img" aria-label={t('green')} />
    </section>
  );
}
