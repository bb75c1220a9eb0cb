import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef, useState } from 'react';
import { useQuery } from 'urql';
import { useTranslation } from 'react-i18next';
import { ErrorNotice } from '../shared/ErrorNotice';
import { Liability } from './operations';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

const DAY = 86_400_000;

/** Points issued, redeemed, expired and still owed for one merchant (or the programme) over a period. */
export function LiabilityCard() {
  const { t } = useTranslation();
  const [merchantId, setMerchantId] = useState('');
  const [days, setDays] = useState(30);
  const [period] = useState(() => Date.now());
  const [liability] = useQuery({
    query: Liability,
    variables: {
      ...(merchantId ? { merchantId } : {}),
      from: new Date(period - days * DAY).toISOString(),
      to: new Date(period + 60_000).toISOString(),
    },
  });
  const chart = useRef<HTMLDivElement>(null);
  const figures = liability.data?.pointsLiability;
  useEffect(() => {
    if (!chart.current || !figures) return;
    const instance = echarts.init(chart.current, undefined, { renderer: 'svg' });
    const names = ['issued', 'redeemed', 'expired', 'reversed', 'outstanding'] as const;
    const labels = {
      issued: t('issued'),
      redeemed: t('redeemedPts'),
      expired: t('expired'),
      reversed: t('reversed'),
      outstanding: t('outstandingLabel'),
    };
    instance.setOption({
      aria: { enabled: true },
      tooltip: {},
      xAxis: { type: 'category', data: names.map((n) => labels[n]) },
      yAxis: { type: 'value' },
      series: [{ type: 'bar', data: names.map((n) => figures[n]), itemStyle: { color: '#0b5d3b' } }],
    });
    return () => instance.dispose();
  }, [figures, t]);
  return (
    <section className="card" aria-labelledby="liability">
      <h2 id="liability">{t('liability')}</h2>
      <label>
        {t('merchantId')} <input value={merchantId} onChange={(e) => setMerchantId(e.target.value.trim())} />
      </label>
      <label>
        {t('days')}{' '}
        <select value={days} onChange={(e) => setDays(Number(e.target.value))}>
          {[7, 30, 90, 365].map((d) => (
            <option key={d} value={d}>
              {d}
            </option>
          ))}
        </select>
      </label>
      <ErrorNotice error={liability.error} />
      {figures && (
        <p data-testid="liability">
          {t('outstanding', { points: figures.outstanding, rate: (figures.breakageRate * 100).toFixed(1) })}
        </p>
      )}
      <div ref={chart} className="chart" role="img" aria-label={t('liability')} />
    </section>
  );
}
